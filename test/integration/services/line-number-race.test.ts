import { Redis } from 'ioredis';
import { AppError } from '../../../lib/errors/app-error';
import { randomId } from '../../../lib/hash';
import { createSecretBox } from '../../../lib/secret-box';
import { createKeys } from '../../../redis/keys';
import { type Line, LineStore } from '../../../store/line-store';

// One WhatsApp number has one owner across portals, however two processes' adds interleave.
describe('line store: one owner per number (real Redis, two processes)', () => {
  const redis = new Redis(process.env.TEST_REDIS_URL ?? '');
  afterAll(() => redis.disconnect());
  const keys = createKeys(`lr${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`);
  const box = createSecretBox(Buffer.alloc(32, 7));
  // Two web processes: each its own store, with its own remembered routes and config copies.
  const processA = new LineStore(redis, keys, box);
  const processB = new LineStore(redis, keys, box);

  const lineOf = (memberId: string, id: string, phoneNumberId: string): Line => ({
    id,
    memberId,
    name: id,
    provider: 'cloud',
    phoneNumberId,
    accessToken: 'EAAG-secret',
    createdAt: 1,
  });

  it('two adds of one number on two portals, raced: exactly one is connected, the other is refused', async () => {
    for (let round = 0; round < 6; round += 1) {
      const number = `30000000000${round}`;
      // Both start together: both read the number free before either writes (the old check let both through).
      const [a, b] = await Promise.allSettled([
        processA.add(lineOf('portal-a', `a${round}`, number)),
        processB.add(lineOf('portal-b', `b${round}`, number)),
      ]);
      const outcomes = [a.status, b.status].sort();
      expect(outcomes).toEqual(['fulfilled', 'rejected']);
      const [winner, loser] = a.status === 'fulfilled' ? ['a', 'b'] : ['b', 'a'];
      const refusal = a.status === 'rejected' ? a.reason : b.status === 'rejected' ? b.reason : undefined;
      expect(refusal).toBeInstanceOf(AppError);
      expect(refusal).toMatchObject({
        code: 'line_conflict',
        kind: 'bad_input',
        message: `phone number id ${number} is already connected as line ${winner}${round}`,
      });
      // The number routes to the winner, and the loser's portal keeps no line for it.
      expect(await redis.get(keys.lineByNumber(number))).toBe(`portal-${winner}|${winner}${round}`);
      expect(await processA.findByPhoneNumberId(number, { fresh: true })).toMatchObject({ id: `${winner}${round}` });
      expect(await processB.get(`portal-${loser}`, `${loser}${round}`)).toBeNull();
    }
  });

  /**
   * Line x of portal-b (number `from`) renumbered to `to` by process B, which loses `to` to portal-a's
   * line w claimed just before B's claim; a rename of x (another process's save) lands between B's
   * steps on x: after B's `touch`-th read or just before its `touch`-th write (1: the add's write, 2: the take-back).
   */
  async function racedRenumber(from: string, to: string, touch: 1 | 2) {
    await processA.add(lineOf('portal-b', 'x', from));
    const linesKey = keys.lines('portal-b');
    let touches = 0;
    const renameAt = async (key: unknown) => {
      if (key !== linesKey) return;
      touches += 1;
      if (touches !== touch) return;
      const stored = JSON.parse((await redis.hget(linesKey, 'x')) ?? '{}');
      await redis.hset(linesKey, 'x', JSON.stringify({ ...stored, name: 'renamed meanwhile' }));
    };
    let winnerDue = true;
    // Process B's connection to the real Redis, with the other processes' writes put between its steps.
    const interleaved = new Proxy(redis, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        if (name === 'hget')
          return async (...args: unknown[]) => {
            const read = await Reflect.apply(value, target, args);
            await renameAt(args[0]);
            return read;
          };
        if (name !== 'evalsha' && name !== 'eval') return value;
        return async (...args: unknown[]) => {
          await renameAt(args[2]);
          if (winnerDue && args[2] === keys.lineByNumber(to)) {
            winnerDue = false;
            await processA.add(lineOf('portal-a', 'w', to));
          }
          return Reflect.apply(value, target, args);
        };
      },
    });
    const processBInterleaved = new LineStore(interleaved, keys, box);
    await expect(processBInterleaved.add(lineOf('portal-b', 'x', to))).rejects.toMatchObject({ code: 'line_conflict' });
    await redis.del(keys.lineByNumber(to));
    return processA.get('portal-b', 'x');
  }

  it('a renumber that loses the race goes back to the line as it was when it wrote: a rename saved before is kept', async () => {
    const line = await racedRenumber('300000000201', '300000000202', 1);
    expect(line).toMatchObject({ phoneNumberId: '300000000201', name: 'renamed meanwhile' });
    expect(await redis.get(keys.lineByNumber('300000000201'))).toBe('portal-b|x');
  });

  it('a rename saved between the lost claim and the take-back is not overwritten', async () => {
    const line = await racedRenumber('300000000203', '300000000204', 2);
    expect(line).toMatchObject({ phoneNumberId: '300000000204', name: 'renamed meanwhile' });
  });

  it('the owner re-adding works; its removal frees the number for the other portal', async () => {
    const number = '300000000099';
    await processA.add(lineOf('portal-a', 'kept', number));
    await processB.add({ ...lineOf('portal-a', 'kept', number), name: 'renamed' });
    await expect(processB.add(lineOf('portal-b', 'taker', number))).rejects.toMatchObject({ code: 'line_conflict' });
    expect(await processA.get('portal-a', 'kept')).toMatchObject({ name: 'renamed' });
    expect(await processA.remove('portal-a', 'kept')).toBe(true);
    await processB.add(lineOf('portal-b', 'taker', number));
    expect(await redis.get(keys.lineByNumber(number))).toBe('portal-b|taker');
  });
});
