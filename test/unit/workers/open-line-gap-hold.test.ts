import type { RunClaimHolder } from '../../../queues/enqueue-inbound-once';
import type { ChatOrder } from '../../../store/open-line-outbox';
import { type GapHoldDeps, gapTimeoutFor } from '../../../workers/open-line-gap-hold';

const GAP_MS = 30_000;
const NOW = 1_800_000_000_000;
/** A chat waiting for number 3 since 31 s ago: past the usual gap time-out, under the ceiling. */
const order: ChatOrder = { next: 2, gap: { since: NOW - 31_000, awaited: 3 } };

/** Gap-hold deps: number 3 carried as `carrier`; jobs in `states`; claims in `claims`. */
function deps(
  carrier: string,
  states: Record<string, string>,
  claims: Record<string, RunClaimHolder> = {},
): GapHoldDeps {
  return {
    outbox: { jobOf: async (_m, _c, n) => (n === 3 ? carrier : null) },
    inboundJobState: async (jobId) => states[jobId] ?? 'unknown',
    inboundRunOf: async (eventKey) => claims[eventKey] ?? null,
  };
}

const hold = (d: GapHoldDeps) => gapTimeoutFor(d, 'member', 'chat', order, NOW, GAP_MS);

describe('open-line gap hold: the chat waits for the job that runs the missing message', () => {
  it('follows the job that claimed the event when it is not the one the number was given under', async () => {
    // Numbered under a job never queued (its door failed); the re-delivery's job claimed it and retries.
    const d = deps('inb-first|wamid.X', { 'inb-again': 'delayed' }, { 'wamid.X': { jobId: 'inb-again', done: false } });
    expect(await hold(d)).toEqual({ timeoutMs: 15 * 60_000, held: true });
  });

  it('a job that skipped the event (another claimed it) does not let the gap pass while the claimer retries', async () => {
    const d = deps(
      'inb-second|wamid.X',
      { 'inb-second': 'completed', 'inb-first': 'delayed' },
      { 'wamid.X': { jobId: 'inb-first', done: false } },
    );
    expect((await hold(d)).held).toBe(true);
  });

  it('falls back to the numbered job while no job has claimed the event, and reads a bare job id as before', async () => {
    expect((await hold(deps('inb-first|wamid.X', { 'inb-first': 'waiting' }))).held).toBe(true);
    expect((await hold(deps('in-old', { 'in-old': 'delayed' }))).held).toBe(true);
    expect(await hold(deps('inb-first|wamid.X', { 'inb-first': 'completed' }))).toEqual({
      timeoutMs: GAP_MS,
      held: false,
    });
  });

  it('lets the gap pass once the claimed run went to the end, though its batch still runs other events', async () => {
    const running = { 'inb-first': 'active' };
    expect(
      (await hold(deps('inb-first|wamid.X', running, { 'wamid.X': { jobId: 'inb-first', done: false } }))).held,
    ).toBe(true);
    expect(await hold(deps('inb-first|wamid.X', running, { 'wamid.X': { jobId: 'inb-first', done: true } }))).toEqual({
      timeoutMs: GAP_MS,
      held: false,
    });
  });
});
