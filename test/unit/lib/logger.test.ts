import { CENSOR, createLogger, lazyChild, redactedKeys } from '../../../lib/logger';

const SECRET = 'SECRET-TOKEN-42';

/** A logger at debug level writing JSON lines to memory. */
function memoryLogger() {
  const lines: string[] = [];
  const log = createLogger('debug', {
    write(line: string) {
      lines.push(line);
    },
  });
  const last = (): Record<string, unknown> => JSON.parse(lines.at(-1) ?? '{}');
  return { log, lines, last };
}

describe('logger: secrets redacted by construction', () => {
  it('censors every listed name at the top level and at any depth, in arrays too', () => {
    const { log, lines, last } = memoryLogger();
    const deepest = { a: { b: { c: { d: { e: { access_token: SECRET } } } } } };
    log.info(
      {
        access_token: SECRET,
        auth: { member_id: 'm', application_token: SECRET },
        req: { body: { auth: { refresh_token: SECRET } } },
        job: { data: { line: { apiTokenInstance: SECRET, webhookToken: SECRET, 'api-token': SECRET } } },
        headers: { authorization: `Bearer ${SECRET}`, 'x-request-id': 'r1' },
        graph: [{ accessToken: SECRET }],
        deepest,
        memberId: 'member-1',
      },
      'hello',
    );
    expect(lines.join('')).not.toContain(SECRET);
    expect(last()).toMatchObject({
      access_token: CENSOR,
      auth: CENSOR,
      headers: { authorization: CENSOR, 'x-request-id': 'r1' },
      graph: [{ accessToken: CENSOR }],
      deepest: { a: { b: { c: { d: { e: { access_token: CENSOR } } } } } },
      memberId: 'member-1',
      msg: 'hello',
    });
  });

  it("an error's body, its HTTP exchange and its nested fields go; type, message and stack stay", () => {
    const { log, lines, last } = memoryLogger();
    const parserError = Object.assign(new Error('too many parameters'), {
      status: 413,
      body: `auth[access_token]=${SECRET}`,
    });
    const httpError = Object.assign(new Error('Request failed with status code 401'), {
      config: { data: `auth=${SECRET}`, headers: { Authorization: `Bearer ${SECRET}` } },
      response: { data: { error: 'expired_token' } },
      requestInfo: { method: 'crm.deal.get', params: { auth: SECRET, id: 7 } },
    });
    log.error({ err: parserError, path: '/b24/robot' }, 'request failed');
    expect(last().err).toMatchObject({ type: 'Error', message: 'too many parameters', status: 413, body: CENSOR });
    log.error({ err: new Error('outer', { cause: httpError }), other: httpError }, 'call failed');
    expect(last()).toMatchObject({
      err: { type: 'Error', message: 'outer: Request failed with status code 401' },
      other: { config: CENSOR, response: CENSOR, requestInfo: { method: 'crm.deal.get', params: { auth: CENSOR } } },
    });
    expect(String((last().err as { stack?: unknown }).stack)).toMatch(/caused by: Error: Request failed/);
    expect(lines.join('')).not.toContain(SECRET);
  });

  it("a child's bindings are redacted too, and its grandchildren's", () => {
    const { log, lines } = memoryLogger();
    log
      .child({ auth: { access_token: SECRET } })
      .child({ token: SECRET })
      .info({ ok: 1 }, 'child');
    expect(lines.join('')).not.toContain(SECRET);
    expect(lines.join('')).toContain('"ok":1');
  });

  it('binary data by size, cycles and very deep objects by marker: the line is still written', () => {
    const { log, last } = memoryLogger();
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    let deep: Record<string, unknown> = { token: SECRET };
    for (let i = 0; i < 20; i += 1) deep = { next: deep };
    log.info({ raw: Buffer.from(SECRET), loop, deep });
    expect(last()).toMatchObject({ raw: `[${SECRET.length} bytes]`, loop: { name: 'loop', self: '[circular]' } });
    expect(JSON.stringify(last())).not.toContain(SECRET);
  });

  it('the list names each token the app handles', () => {
    for (const key of [
      'auth',
      'access_token',
      'refresh_token',
      'application_token',
      'apiTokenInstance',
      'webhookToken',
    ])
      expect(redactedKeys.has(key)).toBe(true);
    for (const key of ['accessToken', 'authorization', 'body', 'AUTH_ID', 'REFRESH_ID', 'api-token'])
      expect(redactedKeys.has(key)).toBe(true);
  });
});

describe('lazyChild', () => {
  it('builds the child only when first used, once, with its bindings redacted like any child', () => {
    const { log, lines, last } = memoryLogger();
    const made: Array<Record<string, unknown>> = [];
    const root = log.child({ memberId: 'm1' });
    // Only `child` is what lazyChild asks of its parent: a stand-in that counts the calls.
    const parent = {
      child: (bindings: Record<string, unknown>) => {
        made.push(bindings);
        return root.child(bindings);
      },
    } as unknown as typeof root;
    const lazy = lazyChild(parent, { callKey: 'k1', token: SECRET });
    expect(made).toEqual([]);
    lazy.warn({ step: 0 }, 'first');
    lazy.info('second');
    expect(made).toHaveLength(1);
    expect(lines).toHaveLength(2);
    expect(lines.join('')).not.toContain(SECRET);
    expect(last()).toMatchObject({ memberId: 'm1', callKey: 'k1', token: CENSOR, msg: 'second' });
  });

  it('answers level reads and writes, and children of its own, as the child would', () => {
    const { log, lines, last } = memoryLogger();
    const lazy = lazyChild(log, { callKey: 'k2' });
    expect(lazy.level).toBe('debug');
    expect(lazy.isLevelEnabled('debug')).toBe(true);
    lazy.level = 'warn';
    lazy.info('dropped');
    expect(lines).toHaveLength(0);
    lazy.child({ step: 1 }).warn('kept');
    expect(last()).toMatchObject({ callKey: 'k2', step: 1, msg: 'kept' });
  });
});
