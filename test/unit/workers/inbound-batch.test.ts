import type { Job } from 'bullmq';
import type { RunClaim } from '../../../queues/enqueue-inbound-once';
import type { JobRun } from '../../../queues/job-retry';
import { createInboundJobProcessor, DONE_EARLIER, RUN_ELSEWHERE } from '../../../workers/inbound-batch';

/** An event of a batch, named `id` (the processor passes events through unread). */
const event = (id: string) => ({ phoneNumberId: 'PN', kind: 'message', event: { id }, receivedAt: 0, eventKey: id });

/** The parts of a BullMQ job the processor reads and writes, over attempts like BullMQ's. */
function fakeJob(data: unknown, failProgress = false) {
  const job = {
    id: 'inb-test',
    data,
    progress: 0 as unknown,
    attemptsMade: 0,
    attemptsStarted: 1,
    opts: { attempts: 8 },
    async updateProgress(progress: unknown) {
      if (failProgress) throw new Error('READONLY');
      job.progress = progress;
    },
  };
  // The processor reads only these fields of a Job (data, progress, attempts, opts, id) and calls updateProgress.
  return { job, asJob: job as unknown as Job<unknown> };
}

/** Runs each event by its id: `failing` ids throw (once each unless `always`); records the runs. */
function events(failing: string[], always = false) {
  const runs: Array<{ id: unknown; attemptsMade: number }> = [];
  const failed = new Set<string>();
  const run = async ({ data, attemptsMade }: JobRun<unknown>) => {
    const id = (data as { event: { id: string } }).event.id; // the test's own events (see `event`)
    runs.push({ id, attemptsMade });
    if (failing.includes(id) && (always || !failed.has(id))) {
      failed.add(id);
      throw new Error(`event ${id} failed`);
    }
    return `ok-${id}`;
  };
  return { run, runs };
}

/** A logger whose warnings are kept, and run claims held in memory like inbound-seen-claim-1.lua's. */
const log = (o: { markFails?: boolean } = {}) => {
  const lines: unknown[][] = [];
  const claims = new Map<string, string>();
  const claimRun = async (eventKey: string, jobId: string): Promise<RunClaim> => {
    const held = claims.get(eventKey);
    if (held === `d:${jobId}`) return 'done';
    // Another job's claim, running or done; a door's marker or an older worker's is taken over.
    if (held !== undefined && held !== `r:${jobId}` && /^[rd]:/.test(held)) return 'elsewhere';
    claims.set(eventKey, `r:${jobId}`);
    return 'run';
  };
  const markRan = async (eventKey: string, jobId: string) => {
    if (o.markFails) throw new Error('Redis went away');
    claims.set(eventKey, `d:${jobId}`);
  };
  return { lines, claims, log: { warn: (...args: unknown[]) => void lines.push(args) }, claimRun, markRan };
};

describe("inbound batch jobs: each event runs with the batch's attempts; a retry runs only what failed", () => {
  it('runs every event and returns their outcomes in order', async () => {
    const { run, runs } = events([]);
    const { job, asJob } = fakeJob({ kind: 'batch', events: [event('a'), event('b')] });
    const out = await createInboundJobProcessor(run, log())(asJob);
    expect(out).toEqual({ batch: ['ok-a', 'ok-b'] });
    expect(runs.map((r) => r.id)).toEqual(['a', 'b']);
    expect(job.progress).toBe(0);
  });

  it('fails with the first failure, records the events done, and its retry runs only the failed one', async () => {
    const { run, runs } = events(['b', 'c']);
    const deps = log();
    const { lines } = deps;
    const { job, asJob } = fakeJob({ kind: 'batch', events: [event('a'), event('b'), event('c')] });
    const process = createInboundJobProcessor(run, deps);
    await expect(process(asJob)).rejects.toThrow('event b failed');
    expect(job.progress).toEqual({ done: [0] });
    // Each failure is logged with its event (the worker's own log names only the job).
    expect(lines).toEqual([
      [expect.objectContaining({ jobId: 'inb-test', event: 1, eventKey: 'b' }), 'inbound event failed'],
      [expect.objectContaining({ jobId: 'inb-test', event: 2, eventKey: 'c' }), 'inbound event failed'],
    ]);
    job.attemptsMade = 1;
    expect(await process(asJob)).toEqual({ batch: [DONE_EARLIER, 'ok-b', 'ok-c'] });
    expect(runs).toEqual([
      { id: 'a', attemptsMade: 0 },
      { id: 'b', attemptsMade: 0 },
      { id: 'c', attemptsMade: 0 },
      { id: 'b', attemptsMade: 1 },
      { id: 'c', attemptsMade: 1 },
    ]);
  });

  it('keeps the events done over several failed attempts', async () => {
    const { run } = events(['b']);
    const { job, asJob } = fakeJob({ kind: 'batch', events: [event('a'), event('b'), event('c')] });
    const process = createInboundJobProcessor(run, log());
    job.progress = { done: [0] }; // an earlier attempt ran `a`
    await expect(process(asJob)).rejects.toThrow('event b failed');
    expect(job.progress).toEqual({ done: [0, 2] });
  });

  it('a progress that cannot be written is logged: the retry still skips the events done (their done marks)', async () => {
    const { run, runs } = events(['b']);
    const deps = log();
    const { lines } = deps;
    const { job, asJob } = fakeJob({ kind: 'batch', events: [event('a'), event('b')] }, true);
    const process = createInboundJobProcessor(run, deps);
    await expect(process(asJob)).rejects.toThrow('event b failed');
    expect(lines.map((l) => l[1])).toEqual([
      'could not record the inbound events done before a retry',
      'inbound event failed',
    ]);
    job.attemptsMade = 1;
    expect(await process(asJob)).toEqual({ batch: [DONE_EARLIER, 'ok-b'] });
    expect(runs.map((r) => r.id)).toEqual(['a', 'b', 'b']);
  });

  it('a job of an older release (one event) runs as it is, claimed like a batch event', async () => {
    const { run, runs } = events([]);
    const deps = log();
    const process = createInboundJobProcessor(run, deps);
    const single = fakeJob(event('single'));
    single.job.id = 'in-single';
    expect(await process(single.asJob)).toBe('ok-single');
    expect(runs.map((r) => r.id)).toEqual(['single']);
    // A newer door queued the same event in a batch (a rolling deploy of the web processes): skipped there.
    const batch = fakeJob({ kind: 'batch', events: [event('single')] });
    expect(await process(batch.asJob)).toEqual({ batch: [RUN_ELSEWHERE] });
    expect(deps.claims.get('single')).toBe('d:in-single');
  });

  it('runs an event once per key: twice in one batch, or in two jobs (two deliveries past the door at once)', async () => {
    const { run, runs } = events([]);
    const deps = log();
    const process = createInboundJobProcessor(run, deps);
    const first = fakeJob({ kind: 'batch', events: [event('a'), event('a'), event('b')] });
    expect(await process(first.asJob)).toEqual({ batch: ['ok-a', RUN_ELSEWHERE, 'ok-b'] });
    const second = fakeJob({ kind: 'batch', events: [event('a'), event('c')] });
    second.job.id = 'inb-second';
    expect(await process(second.asJob)).toEqual({ batch: [RUN_ELSEWHERE, 'ok-c'] });
    // The first job run again (a stall: no progress recorded) finds its events done: none runs again.
    expect(await process(first.asJob)).toEqual({ batch: [DONE_EARLIER, RUN_ELSEWHERE, DONE_EARLIER] });
    expect(runs.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(deps.claims.get('a')).toBe('d:inb-test');
  });

  it('a run again after a stall runs only the events whose run had not ended (claimed, not done)', async () => {
    const { run, runs } = events([]);
    const deps = log();
    const process = createInboundJobProcessor(run, deps);
    const { asJob } = fakeJob({ kind: 'batch', events: [event('a'), event('b')] });
    // The worker died while 'b' ran: its claim is there, its done mark is not.
    deps.claims.set('a', 'd:inb-test');
    deps.claims.set('b', 'r:inb-test');
    expect(await process(asJob)).toEqual({ batch: [DONE_EARLIER, 'ok-b'] });
    expect(runs.map((r) => r.id)).toEqual(['b']);
    expect(deps.claims.get('b')).toBe('d:inb-test');
  });

  it('a done mark that cannot be written is logged and fails nothing: a run again runs the event again', async () => {
    const { run, runs } = events([]);
    const deps = log({ markFails: true });
    const process = createInboundJobProcessor(run, deps);
    const { asJob } = fakeJob({ kind: 'batch', events: [event('a')] });
    expect(await process(asJob)).toEqual({ batch: ['ok-a'] });
    expect(deps.lines).toEqual([
      [expect.objectContaining({ jobId: 'inb-test', eventKey: 'a' }), 'could not mark an inbound event done'],
    ]);
    expect(await process(asJob)).toEqual({ batch: ['ok-a'] });
    expect(runs.map((r) => r.id)).toEqual(['a', 'a']);
  });

  it('a batch that cannot be read fails as a batch, not as an event', async () => {
    const { run, runs } = events([]);
    const { asJob } = fakeJob({ kind: 'batch', events: [] });
    await expect(createInboundJobProcessor(run, log())(asJob)).rejects.toThrow();
    expect(runs).toEqual([]);
  });
});
