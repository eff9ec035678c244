import { line, M, openWaitOnAliasedSend, PHONE, setupWaitService, text } from '../../helpers/wait-service-env';

type WaitServiceEnv = ReturnType<typeof setupWaitService>;

const NEW = '79169998877';

// WhatsApp `user_changed_number`: the customer's open waits follow them to the new number.
describe('wait service: the customer changed number (real Redis)', () => {
  let env: WaitServiceEnv;
  beforeEach(() => {
    env = setupWaitService();
  });
  afterEach(() => {
    env.redis.disconnect();
  });

  const field = (phone: string) => env.keys.waitIndexPhoneField('main', phone);
  const indexed = async (phone: string) => env.redis.hget(env.keys.waitIndex(M), field(phone));

  it('moves the open waits and their index entries; a reply from the new number resumes them, the old one no longer', async () => {
    const a = await env.open();
    const b = await env.open();
    const ended = await env.open();
    expect(await env.service.cancel(M, ended.wait.id)).toBe(true);
    expect(await indexed(PHONE)).toBe(`${a.wait.id} ${b.wait.id}`);

    expect(await env.service.onNumberChanged(line, PHONE, NEW)).toBe(2);
    expect(await indexed(PHONE)).toBeNull();
    expect(await indexed(NEW)).toBe(`${a.wait.id} ${b.wait.id}`);
    expect((await env.store.get(M, a.wait.id))?.phone).toBe(NEW);
    // A second run (the job retried) finds nothing left to move.
    expect(await env.service.onNumberChanged(line, PHONE, NEW)).toBe(0);
    expect(await indexed(NEW)).toBe(`${a.wait.id} ${b.wait.id}`);

    expect(await env.service.takeReply(line, text('Yes'))).toBe(false);
    expect(await env.service.takeReply(line, { ...text('Yes'), from: NEW })).toBe(true);
    expect((await env.callbacks()).get(b.eventToken)?.returnValues).toMatchObject({ status: 'answered' });
    expect(await indexed(NEW)).toBe(a.wait.id);
  });

  it("ending a moved wait with a copy from before the move still removes the new number's entry", async () => {
    const a = await env.open();
    await env.service.onNumberChanged(line, PHONE, NEW);
    expect(await env.store.end(a.wait, 'cancelled', 'manual', null, env.clock.now())).toBe('claimed');
    expect(await env.redis.hgetall(env.keys.waitIndex(M))).toEqual({});
  });

  it("moves a wait found through its wa_id alias and drops the alias (it named the old number's id)", async () => {
    const WA_ID = '5511987654321';
    const a = await openWaitOnAliasedSend(env, WA_ID);
    expect(await indexed(WA_ID)).toBe(a.wait.id);
    // Meta names the old number as the customer writes from it: the wa_id.
    expect(await env.service.onNumberChanged(line, WA_ID, NEW)).toBe(1);
    expect(await indexed(WA_ID)).toBeNull();
    expect(await indexed(PHONE)).toBeNull();
    expect(await indexed(NEW)).toBe(a.wait.id);
    // An open wait is a field of the wait index (redis/lua/lib/wait-record.lua).
    const raw = await env.redis.hget(env.keys.waitIndex(M), env.keys.waitIndexWaitField(a.wait.id));
    const stored = JSON.parse(raw ?? '{}') as Record<string, unknown>; // cast: a stored wait is a JSON object
    expect(stored).toMatchObject({ p: NEW, pf: field(NEW) });
    expect(stored).not.toHaveProperty('wa');
    expect(stored).not.toHaveProperty('waf');
    expect(await env.service.cancel(M, a.wait.id)).toBe(true);
    expect(await env.redis.hgetall(env.keys.waitIndex(M))).toEqual({});
  });
});
