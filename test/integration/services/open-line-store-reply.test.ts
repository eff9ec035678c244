import { Redis } from 'ioredis';
import { type LocalRedisServer, startRedisServer } from '../../../lib/redis-server';
import { createKeys } from '../../../redis/keys';
import { loaded } from '../../../redis/script-files';
import { OpenLineStore } from '../../../store/open-line-store';

const M = 'member-ol-reply';
const NAME = 'open-line-attachment-2';

/**
 * open-line-attachment-2's reply is read strictly: a reply of another shape is an error, not "no
 * route" (which would skip numbering the message without a word; review-s20-fix1.md nit 2). The real
 * script cannot answer another shape, so the test replaces its text: `run` finds the script unknown
 * to a Redis of its own (NOSCRIPT) and falls back to EVAL of the text it has loaded.
 */
describe('the open-line store refuses a script reply it does not expect (real Redis)', () => {
  let server: LocalRedisServer;
  let redis: Redis;
  const original = loaded.get(NAME);
  const store = () => new OpenLineStore(redis, createKeys('olr'));

  beforeAll(async () => {
    // Its own server: no other test file's EVAL caches the real script under its SHA meanwhile.
    server = await startRedisServer();
    redis = new Redis(server.url);
  });
  afterEach(async () => {
    if (original) loaded.set(NAME, original);
    await redis.script('FLUSH');
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  /** The script's text replaced by `lua` (two keys, as the file's name says). */
  const replyWith = (lua: string) => loaded.set(NAME, { lua, numberOfKeys: 2 });

  it('reads the real script (by EVAL on this fresh server) and a replaced one of the right shape', async () => {
    await store().attach(M, { lineId: 'L1', openLineId: '7', relayTaken: false, active: true, attachedAt: 5 });
    const real = await store().forLineWithVersion(M, 'L1');
    expect({ version: real.version, attachment: real.attachment() }).toEqual({
      version: null,
      attachment: { lineId: 'L1', openLineId: '7', relayTaken: false, active: true, attachedAt: 5 },
    });
    await redis.script('FLUSH');
    replyWith("return { '3', false }");
    const replaced = await store().forLineWithVersion(M, 'L1');
    expect({ version: replaced.version, attachment: replaced.attachment() }).toEqual({
      version: '3',
      attachment: null,
    });
  });

  it.each([
    ['a number', 'return 1', '1'],
    ['one value', "return { '3' }", '["3"]'],
    ['three values', "return { '3', false, 'x' }", '["3",null,"x"]'],
    ['a number for the version', 'return { 3, false }', '[3,null]'],
    ['a status', "return redis.status_reply('OK')", '"OK"'],
  ])('%s is an error naming the reply', async (_what, lua, shown) => {
    replyWith(lua);
    await expect(store().forLineWithVersion(M, 'L1')).rejects.toThrow(
      `open-line-attachment-2: unexpected reply ${shown}`,
    );
  });
});
