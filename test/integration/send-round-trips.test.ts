import { createRegisteredHarness, type Harness } from '../helpers/harness';
import { type SeenCommand, watchCommands } from '../helpers/redis-monitor';

/**
 * What one text robot costs the worker in Redis commands (issue 10: the worker's CPU per sent
 * message was spread thin over its commands). Counted from what Redis ran (MONITOR) for the
 * portal's keys, a MULTI and its EXEC included, through the real runtime on a real redis-server:
 * no timing involved.
 */
describe('round trips of one sent text robot', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createRegisteredHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('reads its steps and the window once each, and notes the send in the step that records it', async () => {
    // The job waits in the queue while nothing runs it: only the worker's commands are watched.
    await h.stopWorkers();
    const dealId = h.portal.createDeal({ stageId: 'NEW' });
    const { run } = await h.portal.runRobot({
      code: 'wa_send_text',
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
      properties: { text: 'Your order is ready', phone: '+7 916 123-45-67' },
    });
    const watch = await watchCommands(h.redisUrl, h.memberId);
    try {
      await h.startWorkerInstance();
      const done = await h.portal.waitForRun(run.eventToken, 15_000);
      expect(done.returnValues).toMatchObject({ status: 'sent' });
      expect(h.whatsapp.sent()).toHaveLength(1);
      // Round trips of the app (EVAL only follows an EVALSHA a fresh Redis did not know yet), up to
      // the robot's result queued: the callback dispatcher's own work comes after.
      const all = (await watch.seen()).filter((c) => !c.fromScript && c.name !== 'eval');
      const queued = all.findIndex((c) => c.args.some((a) => a.endsWith(':cb:pending')));
      expect(queued).toBeGreaterThan(0);
      const seen = all.slice(0, queued + 1);
      const on = (part: string) => seen.filter((c: SeenCommand) => c.args.some((a) => a.includes(part)));
      // The portal and its lines under one read of the config version; the portal's record (no copy
      // yet: a new worker) is read with the version it is stored under in one command (an MGET).
      const version = h.rt.keys.configVersion(h.memberId);
      expect(on(':config-version').map((c) => [c.name, ...c.args])).toEqual([
        ['get', version],
        ['mget', h.rt.keys.portal(h.memberId), version],
      ]);
      // The call's steps: read once (the window decision, the step an earlier attempt took, the
      // step again before the send) in the script that reads the customer's window, claimed before
      // the provider call, recorded after it.
      const steps = on(':sent:');
      expect(steps.map((c) => c.name)).toEqual(['evalsha', 'evalsha', 'evalsha']);
      // The customer's window: one script, the one that reads the steps.
      const window = on(':win');
      expect(window.map((c) => c.name)).toEqual(['evalsha']);
      expect(window[0]).toBe(steps[0]);
      // It reads them (ARGV[3] '1'), and they are this call's: the hash the claim then writes.
      const claimed = steps[1]?.args.find((a) => a.includes(':sent:'));
      expect(window[0]?.args).toContain(claimed);
      expect(window[0]?.args.at(-1)).toBe('1');
      // The recent sends: in the script that records the send.
      const noted = on(':recent-sends');
      expect(noted).toHaveLength(1);
      expect(noted[0]?.args.some((a) => a.includes(':msg:'))).toBe(true);
      // Reads of the portal (with its version) and its lines (the config version), the steps with the
      // window, the claim, the record and the robot's result (the rate slot is its line's slot, not
      // watched here): nothing else, and no MULTI (the watch shows one naming these keys, and its EXEC).
      expect(seen).toHaveLength(7);
    } finally {
      await watch.stop();
    }
  });

  it('a window read without the steps names no steps key (the tracking hash stands in)', async () => {
    const watch = await watchCommands(h.redisUrl, h.memberId);
    try {
      await h.rt.windows.read(h.memberId, 'main', '79161234567');
      // The window script: the one command naming the customer's wa_id key (a worker may run meanwhile).
      const waId = h.rt.keys.customerWaId(h.memberId, 'main', '79161234567');
      const seen = (await watch.seen()).filter((c) => !c.fromScript && c.args.includes(waId));
      expect(seen.map((c) => c.name)).toEqual(['evalsha']);
      expect(seen[0]?.args.filter((a) => a.includes(':sent:'))).toEqual([]);
      expect(seen[0]?.args.at(-1)).toBe('0');
    } finally {
      await watch.stop();
    }
  });
});
