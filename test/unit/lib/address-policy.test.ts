import { createAddressPolicy, isNonPublicAddress } from '../../../lib/address-policy';
import { AppError } from '../../../lib/errors/app-error';
import { dnsTable } from '../../helpers/dns-table';

describe('address policy', () => {
  it.each([
    ['127.0.0.1'],
    ['127.1.2.3'],
    ['10.0.0.5'],
    ['172.16.0.1'],
    ['172.31.255.255'],
    ['192.168.1.1'],
    ['169.254.169.254'],
    ['100.64.0.1'],
    ['100.127.255.254'],
    ['0.0.0.0'],
    ['0.1.2.3'],
    ['::'],
    ['::1'],
    ['fc00::1'],
    ['fd12:3456::1'],
    ['fe80::1'],
    ['fe80::1%eth0'],
    ['::ffff:127.0.0.1'],
    ['::ffff:7f00:1'],
    ['::ffff:10.0.0.1'],
    ['::ffff:a9fe:a9fe'],
    ['::127.0.0.1'],
    ['64:ff9b::10.1.1.1'],
    ['::ffff:0:127.0.0.1'],
    ['::ffff:0:a9fe:a9fe'],
    ['2002:7f00:1::1'],
    ['2002:a00:1::'],
    ['224.0.0.1'],
    ['255.255.255.255'],
    // Documentation ranges (RFC 5737, RFC 3849): never on the internet, so someone's local network.
    ['192.0.2.2'],
    ['198.51.100.7'],
    ['203.0.113.200'],
    ['2001:db8::1'],
    // IPv6 documentation (RFC 9637), benchmarking (RFC 5180) and discard-only (RFC 6666) ranges.
    ['3fff::1'],
    ['3fff:fff:ffff::1'],
    ['2001:2::1'],
    ['2001:2:0:ffff::1'],
    ['100::1'],
    ['100::ffff:ffff:ffff:ffff'],
    // Local-use NAT64 (RFC 8215), whatever IPv4 it carries where.
    ['64:ff9b:1::a9fe:a9fe'],
    ['64:ff9b:1:ffff::808:808'],
    // Teredo: a private client IPv4 (stored inverted: 10.0.0.1 is f5ff:fffe), or a private server.
    ['2001:0:4136:e378:8000:63bf:f5ff:fffe'],
    ['2001:0:a00:1:8000:63bf:f7f7:f7f7'],
  ])('%s is not public', (ip) => {
    expect(isNonPublicAddress(ip)).toBe(true);
  });

  it.each([
    ['93.184.216.34'],
    ['8.8.8.8'],
    ['172.32.0.1'],
    ['100.128.0.1'],
    ['169.255.0.1'],
    ['2606:2800:220:1:248:1893:25c8:1946'],
    ['::ffff:8.8.8.8'],
    ['64:ff9b::8.8.8.8'],
    ['::ffff:0:8.8.8.8'],
    ['2002:808:808::1'],
    // Teredo with a public server (65.54.227.120) and client (8.8.8.8, stored inverted: f7f7:f7f7).
    ['2001:0:4136:e378:8000:63bf:f7f7:f7f7'],
    ['192.0.3.1'],
    ['203.0.114.1'],
    // Just outside the ranges above: 3fff::/20, 2001:2::/48, 100::/64.
    ['3fff:1000::1'],
    ['2001:2:1::1'],
    ['100:0:0:1::1'],
  ])('%s is public', (ip) => {
    expect(isNonPublicAddress(ip)).toBe(false);
  });

  const off = createAddressPolicy({
    allowPrivate: false,
    lookup: dnsTable({
      'portal.bitrix24.ru': ['185.26.96.10'],
      'internal.example.com': ['10.1.2.3'],
      'split.example.com': ['93.184.216.34', '192.168.0.7'],
      'v6only.example.com': ['fd00::5'],
      'flaky.example.com': 'EAI_AGAIN',
    }),
  });

  it.each([
    ['http://127.0.0.1:8080/rest/', /127\.0\.0\.1/],
    ['http://2130706433/rest/', /127\.0\.0\.1/],
    ['http://0x7f.1/', /127\.0\.0\.1/],
    ['http://[::1]:3000/', /::1/],
    ['http://[::ffff:127.0.0.1]/', /private, loopback/],
    ['https://169.254.169.254/latest/meta-data/', /169\.254/],
    ['https://internal.example.com/rest/', /10\.1\.2\.3/],
    ['https://split.example.com/a.pdf', /192\.168\.0\.7/],
    ['https://v6only.example.com/', /fd00::5/],
    ['https://nowhere.example.com/', /does not resolve/],
    ['ftp://portal.bitrix24.ru/', /not an http/],
    ['not a url', /not a URL/],
  ])('refuses %s', async (url, why) => {
    expect(await off.refusal(url)).toMatch(why);
  });

  it('allows public addresses and names', async () => {
    expect(await off.refusal('https://portal.bitrix24.ru/rest/')).toBeUndefined();
    expect(await off.refusal('https://93.184.216.34/a.pdf')).toBeUndefined();
  });

  it('a DNS failure that a later try could resolve is retryable, not a refusal', async () => {
    await expect(off.refusal('https://flaky.example.com/')).rejects.toMatchObject({
      code: 'dns_unavailable',
      retryable: true,
    });
    await expect(off.refusal('https://flaky.example.com/')).rejects.toBeInstanceOf(AppError);
  });

  it('ALLOW_PRIVATE_ADDRESSES lets private addresses through without any lookup; the scheme still counts', async () => {
    const lookup = jest.fn(async () => ['10.0.0.1']);
    const on = createAddressPolicy({ allowPrivate: true, lookup });
    expect(await on.refusal('http://127.0.0.1:9000/rest/')).toBeUndefined();
    expect(await on.refusal('https://internal.example.com/')).toBeUndefined();
    expect(await on.refusal('file:///etc/passwd')).toMatch(/not an http/);
    expect(lookup).not.toHaveBeenCalled();
  });
});
