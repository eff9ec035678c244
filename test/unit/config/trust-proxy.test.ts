import express from 'express';
import { loadConfig } from '../../../config/load-config';
import { validEnv } from '../../helpers/valid-env';

const valid = validEnv;
const trustOf = (TRUST_PROXY?: string) => loadConfig({ ...valid, TRUST_PROXY }).TRUST_PROXY;
/** Whether Express, set to `value`, believes a peer at `address` (the nearest hop) about the client. */
const trusts = (value: ReturnType<typeof trustOf>, address: string): boolean => {
  const app = express();
  app.set('trust proxy', value);
  const trust: unknown = app.get('trust proxy fn');
  if (typeof trust !== 'function') throw new Error('express compiled no trust function');
  return Boolean(trust(address, 0));
};

describe('TRUST_PROXY', () => {
  it('defaults to the proxies no internet client can be: loopback, link-local and private networks', () => {
    const trust = trustOf(undefined);
    expect(trust).toEqual(['loopback', 'linklocal', 'uniquelocal']);
    for (const proxy of ['127.0.0.1', '::1', '10.1.2.3', '172.20.0.5', '192.168.1.1', 'fd00::1', '169.254.1.1'])
      expect(trusts(trust, proxy)).toBe(true);
    for (const client of ['203.0.113.9', '8.8.8.8', '2001:db8::1']) expect(trusts(trust, client)).toBe(false);
  });

  it('takes what Express takes: true, false, a hop count, addresses and subnets', () => {
    expect(trustOf('true')).toBe(true);
    expect(trustOf('false')).toBe(false);
    expect(trustOf('1')).toBe(1);
    expect(trustOf(' 10.0.0.0/8, 192.0.2.7 ,fd00::/8, loopback ')).toEqual([
      '10.0.0.0/8',
      '192.0.2.7',
      'fd00::/8',
      'loopback',
    ]);
    const subnets = trustOf('10.0.0.0/8, 192.0.2.7');
    expect([trusts(subnets, '10.9.9.9'), trusts(subnets, '192.0.2.7'), trusts(subnets, '127.0.0.1')]).toEqual([
      true,
      true,
      false,
    ]);
    expect(trusts(trustOf('false'), '127.0.0.1')).toBe(false);
  });

  it('names what is wrong with a bad value', () => {
    expect(() => trustOf('proxy.example.com')).toThrow(/TRUST_PROXY: "proxy.example.com" is not an IP address/);
    expect(() => trustOf('10.0.0.0/33')).toThrow(/TRUST_PROXY: "10.0.0.0\/33": the prefix length must be 1–32/);
    expect(() => trustOf('fd00::/129')).toThrow(/prefix length must be 1–128/);
    // A /0 is every address (Express would refuse it at start-up): `true` says that.
    expect(() => trustOf('0.0.0.0/0')).toThrow(/prefix length must be 1–32/);
    expect(() => trustOf('::/0')).toThrow(/prefix length must be 1–128/);
    expect(() => trustOf('10.0.0.0/8/1')).toThrow(/TRUST_PROXY: "10.0.0.0\/8\/1"/);
    expect(() => trustOf('yes')).toThrow(/TRUST_PROXY/);
    expect(() => trustOf(' , ')).toThrow(/TRUST_PROXY: empty: say false to trust no proxy/);
  });
});
