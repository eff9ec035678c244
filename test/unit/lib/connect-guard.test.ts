import type { LookupAddress } from 'node:dns';
import { type AgentOptions, globalAgent } from 'node:http';
import { ADDRESS_REFUSED, BitrixError } from '../../../bitrix/bitrix-error';
import {
  AddressRefusedError,
  addressRefusalIn,
  createGuardedNodeAgents,
  guardedLookup,
} from '../../../lib/connect-guard';
import { ActionError } from '../../../lib/errors/app-error';
import { errorText } from '../../../lib/errors/error-codes';
import { fetchFailure } from '../../../providers/fetch-failure';
import { dnsTable } from '../../helpers/dns-table';

type Outcome = { error: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number };

/** What the guarded lookup hands a socket for `host` (`all`: every address, as Node's happy eyeballs asks). */
function lookUp(
  answers: Record<string, string[] | string>,
  host: string,
  options: { all?: boolean; family?: number } = {},
): Promise<Outcome> {
  const lookup = guardedLookup(dnsTable(answers));
  return new Promise((resolve) => {
    lookup(host, { all: options.all ?? false, family: options.family }, (error, address, family) =>
      resolve({ error, address, family }),
    );
  });
}

describe('guarded lookup (the address policy at connect time)', () => {
  it('passes a name whose every answer is public, in the shape the socket asked for', async () => {
    const answers = { 'portal.example': ['93.184.216.34', '2606:2800:220:1::1'] };
    expect(await lookUp(answers, 'portal.example')).toEqual({ error: null, address: '93.184.216.34', family: 4 });
    expect(await lookUp(answers, 'portal.example', { all: true })).toMatchObject({
      error: null,
      address: [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:2800:220:1::1', family: 6 },
      ],
    });
    expect(await lookUp(answers, 'portal.example', { family: 6 })).toEqual({
      error: null,
      address: '2606:2800:220:1::1',
      family: 6,
    });
  });

  it.each([
    ['127.0.0.1'],
    ['169.254.169.254'],
    ['10.1.2.3'],
    ['192.168.0.10'],
    ['0.0.0.0'],
    ['::1'],
    ['::ffff:127.0.0.1'],
    ['::ffff:7f00:1'],
    ['fe80::1'],
    ['fd00::5'],
  ])('refuses a name that answers %s, not retryable', async (address) => {
    const { error } = await lookUp({ 'rebind.example': [address] }, 'rebind.example', { all: true });
    expect(error).toBeInstanceOf(AddressRefusedError);
    expect(error).toMatchObject({ code: 'address_refused', retryable: false, kind: 'forbidden', address });
    expect(error?.message).toContain(`rebind.example resolves to ${address}`);
  });

  it('refuses a name with a public and a private answer (either could be connected to)', async () => {
    const answers = { 'mixed.example': ['93.184.216.34', '10.0.0.7'] };
    for (const all of [true, false]) {
      const { error } = await lookUp(answers, 'mixed.example', { all });
      expect(error).toMatchObject({ code: 'address_refused', address: '10.0.0.7' });
    }
  });

  it('passes the resolver error on as it is (its code is what callers read)', async () => {
    const missing = await lookUp({}, 'nowhere.example');
    expect(missing.error).toMatchObject({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND nowhere.example' });
    const down = await lookUp({ 'flaky.example': 'EAI_AGAIN' }, 'flaky.example', { all: true });
    expect(down.error).toMatchObject({ code: 'EAI_AGAIN' });
    expect(down.error).not.toBeInstanceOf(AddressRefusedError);
  });

  it('answers ENOTFOUND when no address of the asked family is left', async () => {
    const { error } = await lookUp({ 'v4only.example': ['93.184.216.34'] }, 'v4only.example', { family: 6 });
    expect(error).toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe("guarded Node agents (the SDK's axios)", () => {
  it("keep Node's globalAgent pooling: keep-alive, idle sockets closed after 5 s, the latest reused first", () => {
    const { httpAgent, httpsAgent } = createGuardedNodeAgents();
    // Cast: Node keeps the options an agent was built with as `options`; @types/node does not declare it.
    const optionsOf = (agent: object) => (agent as { options: AgentOptions }).options;
    // What the SDK used before; Node's own defaults, read rather than restated.
    const node = optionsOf(globalAgent);
    expect({ timeout: node.timeout, scheduling: node.scheduling }).toEqual({ timeout: 5000, scheduling: 'lifo' });
    for (const agent of [httpAgent, httpsAgent]) {
      expect(optionsOf(agent)).toMatchObject({ keepAlive: true, timeout: node.timeout, scheduling: node.scheduling });
      agent.destroy();
    }
  });
});

describe('connect-time refusals in the app error model', () => {
  const refused = new AddressRefusedError('rebind.example', '127.0.0.1');

  it('is found wrapped as fetch and axios wrap it', () => {
    const fetchFailed = new TypeError('fetch failed', { cause: refused });
    expect(addressRefusalIn(fetchFailed)).toBe(refused);
    expect(addressRefusalIn(new Error('outer', { cause: fetchFailed }))).toBe(refused);
    expect(addressRefusalIn(new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') }))).toBeUndefined();
    expect(addressRefusalIn('not an error')).toBeUndefined();
  });

  it('ends a provider call as address_refused: not retryable, nothing sent', () => {
    const error = fetchFailure(new TypeError('fetch failed', { cause: refused }));
    expect(error).toBeInstanceOf(ActionError);
    expect(error).toMatchObject({ code: 'address_refused', retryable: false, outcomeUnknown: false });
    expect(errorText('address_refused', 'en')).toMatch(/private, loopback or link-local/);
    expect(errorText('address_refused', 'ru')).toMatch(/частный/);
  });

  it('is a Bitrix24 error that is never retried', () => {
    expect(new BitrixError(ADDRESS_REFUSED, refused.message, 0, 'batch').retryable).toBe(false);
    expect(new BitrixError('NETWORK_ERROR', 'socket hang up', 0, 'batch').retryable).toBe(true);
  });
});
