import { webhookEvents } from '../../app/doors/whatsapp-webhook-door';
import { endpoints } from '../../config/endpoints';
import { withEventKey } from '../../queues/create-queues';
import { claimInboundRun, enqueueInboundOnce, markInboundRan, readRunClaim } from '../../queues/enqueue-inbound-once';
import { run } from '../../redis/scripts';
import { contact, envelope, signed, text } from '../helpers/cloud-webhooks';
import { APP_SECRET, createHarness, type Harness } from '../helpers/harness';
import { inboundQueuesWith } from '../helpers/inbound-queues';
import { pollUntil } from '../helpers/poll';
import { postRaw } from '../helpers/raw-http';

/**
 * A completed inbound job is kept only briefly: the worker that ran it claimed the event's run in its
 * seen marker, so a re-delivery days later is turned away at the door even when the door died
 * between queueing the job and writing the marker itself.
 */
describe('inbound events: the worker writes the seen marker', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('a re-delivery after the completed job is gone queues nothing when the door died before its marker', async () => {
    const post = signed(envelope({ contacts: [contact], messages: [text('wamid.seen-by-worker')] }));
    // What the door queues for this webhook, queued as the door does it, and then the door "dies":
    // no seen marker of its own.
    const [event] = webhookEvents(Buffer.from(post.body), post.headers?.['x-hub-signature-256'], true, APP_SECRET);
    if (!event) throw new Error('the webhook carries no event');
    const { key, ...job } = event;
    const slot = h.rt.queues.joinInbound();
    await slot.commit(withEventKey({ ...job, receivedAt: Date.now() }, key));
    const jobId = slot.jobId;
    expect(await h.rt.redis.exists(h.rt.keys.webhookSeen(key))).toBe(0);
    await pollUntil(async () => (await h.rt.queues.inbound.getJobState(jobId)) === 'completed', 10_000, 'job done');
    const done = await h.rt.queues.inbound.getJob(jobId);
    expect(done?.data).toEqual({ kind: 'batch', events: [expect.objectContaining({ eventKey: key })] });
    expect(done?.opts.removeOnComplete).toEqual({ age: 3600, count: 200_000, limit: 100 });
    // What keeping it costs Redis (its hash; not its share of the completed set or the events stream)
    // against the marker that now turns re-deliveries away instead.
    const jobBytes = Number(
      await h.rt.redis.memory('USAGE', `${h.rt.queues.prefix}:${h.rt.queues.inbound.name}:${jobId}`, 'SAMPLES', 0),
    );
    // The marker holds the event's run claim, done: what a second delivery queued beside it finds.
    const markerBytes = Number(await h.rt.redis.memory('USAGE', h.rt.keys.webhookSeen(key), 'SAMPLES', 0));
    expect(await h.rt.redis.get(h.rt.keys.webhookSeen(key))).toBe(`d:${jobId}`);
    const markerTtl = await h.rt.redis.ttl(h.rt.keys.webhookSeen(key));
    expect(markerTtl).toBeGreaterThan(6 * 86_400);
    expect(markerTtl).toBeLessThanOrEqual(7 * 86_400);
    // No claim apart (an older release's, kept a day).
    expect(await h.rt.redis.exists(h.rt.keys.inboundRun(key))).toBe(0);
    if (process.env.SHOW_MEMORY)
      console.log(`completed inbound job ${jobBytes} bytes; seen marker ${markerBytes} bytes`);
    expect(markerBytes).toBeGreaterThan(0);
    expect(markerBytes).toBeLessThanOrEqual(160);
    expect(jobBytes).toBeGreaterThan(markerBytes);
    expect(jobBytes).toBeLessThanOrEqual(2048);
    // The completed job leaves, as its short retention removes it.
    await done?.remove();
    const answer = await postRaw(`${h.appUrl}${endpoints.whatsappWebhook}`, post);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ result: 'ok', queued: 0 });
    expect(await h.rt.queues.inbound.getJobState(jobId)).toBe('unknown');
  });

  it("a worker that claimed the event before the door marked it leaves the door's delivery its first, once", async () => {
    const post = signed(envelope({ contacts: [contact], messages: [text('wamid.worker-first')] }));
    const [event] = webhookEvents(Buffer.from(post.body), post.headers?.['x-hub-signature-256'], true, APP_SECRET);
    if (!event) throw new Error('the webhook carries no event');
    const { key, ...job } = event;
    const queuedBefore = await webhookCount(h, 'queued');
    // The real queue, and the worker's claim written right after the job is queued, before the door's marker.
    let claimedBy = '';
    const queues = inboundQueuesWith(h, async (jobId) => {
      claimedBy = jobId;
      expect(await claimInboundRun(h.rt, key, jobId)).toBe('run');
    });
    const deps = { redis: h.rt.redis, keys: h.rt.keys, metrics: h.rt.metrics, queues };
    expect(await enqueueInboundOnce(deps, { ...job, receivedAt: Date.now() }, key)).toBe(true);
    expect(await webhookCount(h, 'queued')).toBe(queuedBefore + 1);
    // The door kept the claim (a second delivery's job must not find the door's value and run too).
    expect(await h.rt.redis.get(h.rt.keys.webhookSeen(key))).toBe(`r:${claimedBy}`);
    expect(await claimInboundRun(h.rt, key, 'inb-another')).toBe('elsewhere');
    // The next delivery is the duplicate, before and after the run is marked done.
    expect(await enqueueInboundOnce(deps, { ...job, receivedAt: Date.now() }, key)).toBe(false);
    await markInboundRan(h.rt, key, claimedBy);
    expect(await enqueueInboundOnce(deps, { ...job, receivedAt: Date.now() }, key)).toBe(false);
    // A run again of the claiming job finds its run done; any other job finds it taken.
    expect(await claimInboundRun(h.rt, key, claimedBy)).toBe('done');
    expect(await claimInboundRun(h.rt, key, 'inb-another')).toBe('elsewhere');
  });

  it("a door's marker or an older worker's is claimed over; another job's claim is not", async () => {
    const key = 'msg:wamid.claim-values';
    const seenKey = h.rt.keys.webhookSeen(key);
    for (const held of ['1', 'w']) {
      await h.rt.redis.set(seenKey, held, 'EX', 60);
      expect(await claimInboundRun(h.rt, key, 'inb-a')).toBe('run');
      expect(await h.rt.redis.get(seenKey)).toBe('r:inb-a');
      expect(await h.rt.redis.ttl(seenKey)).toBeGreaterThan(6 * 86_400);
    }
    // The claimer's retry runs; another job's does not, while it runs or after.
    expect(await claimInboundRun(h.rt, key, 'inb-a')).toBe('run');
    expect(await claimInboundRun(h.rt, key, 'inb-b')).toBe('elsewhere');
    await markInboundRan(h.rt, key, 'inb-a');
    expect(await claimInboundRun(h.rt, key, 'inb-b')).toBe('elsewhere');
    expect(await claimInboundRun(h.rt, key, 'inb-a')).toBe('done');
  });

  it("the door's marker: set when none, never over a claim; the first delivery is the one whose job runs it", async () => {
    const seenKey = h.rt.keys.webhookSeen('msg:wamid.door-values');
    const door = (jobId: string) => run(h.rt.redis, 'webhook-seen-1', [seenKey], [60, '1', jobId]);
    await h.rt.redis.del(seenKey);
    expect(await door('inb-a')).toBe(1);
    expect(await h.rt.redis.get(seenKey)).toBe('1');
    expect(await door('inb-b')).toBe(0);
    const cases: Array<[string, number]> = [
      ['r:inb-a', 1],
      ['d:inb-a', 1],
      ['r:inb-other', 0],
      ['d:inb-other', 0],
      ['w', 1],
    ];
    for (const [held, first] of cases) {
      await h.rt.redis.set(seenKey, held, 'EX', 60);
      expect([held, await door('inb-a')]).toEqual([held, first]);
      expect(await h.rt.redis.get(seenKey)).toBe(held);
    }
  });

  it("the open-line gap hold reads the claim in the seen marker, else an older release's claim key", async () => {
    const key = 'msg:wamid.claim-read';
    await h.rt.redis.del(h.rt.keys.webhookSeen(key), h.rt.keys.inboundRun(key));
    expect(await readRunClaim(h.rt, key)).toBeNull();
    await h.rt.redis.set(h.rt.keys.webhookSeen(key), '1', 'EX', 60);
    await h.rt.redis.set(h.rt.keys.inboundRun(key), 'in-older', 'EX', 60);
    expect(await readRunClaim(h.rt, key)).toEqual({ jobId: 'in-older', done: false });
    expect(await claimInboundRun(h.rt, key, 'inb-new')).toBe('run');
    expect(await readRunClaim(h.rt, key)).toEqual({ jobId: 'inb-new', done: false });
    await markInboundRan(h.rt, key, 'inb-new');
    expect(await readRunClaim(h.rt, key)).toEqual({ jobId: 'inb-new', done: true });
  });
});

/** The webhook door's counter for one outcome. */
async function webhookCount(h: Harness, outcome: string): Promise<number> {
  const { values } = await h.rt.metrics.webhooks.get();
  return values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}
