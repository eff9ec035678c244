/**
 * Each worker process compiles its own hot code (V8 tiers a function up after enough calls), and
 * until then a message costs it several times its settled CPU: measured on 2 cores, ≈ 2.5 ms one
 * second after start, ≈ 0.65 ms after ≈ 6,000 messages (issue 10). A fixed warm-up in seconds
 * gives N processes 1/N of the traffic each in that time, so the more processes, the less warmed
 * the window they are measured in (two processes read 2.5× the CPU per message of one). Warming
 * up by messages per process gives every process the same number of calls whatever N is.
 */
export const WARM_UP_MESSAGES_PER_PROCESS = 3000;
/** A warm-up that takes longer says so (the rate is then too low to warm up in a bench run). */
export const WARM_UP_MAX_MS = 30_000;

export interface WarmUpDeps {
  /** Messages the provider accepted so far (all processes together). */
  accepted: () => Promise<number>;
  /** Real-time pause between two looks. */
  pause: (ms: number) => Promise<void>;
  /** Real-time ms since the warm-up started. */
  elapsedMs: () => number;
}

export interface WarmUpResult {
  /** Messages accepted during the warm-up. */
  messages: number;
  /** False when WARM_UP_MAX_MS ran out first. */
  reached: boolean;
}

/** Messages the whole system sends before it is measured: the same number per worker process. */
export function warmUpTarget(workers: number): number {
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`warmUpTarget: workers must be ≥ 1, got ${workers}`);
  return WARM_UP_MESSAGES_PER_PROCESS * workers;
}

/** Waits until `target` more messages were accepted than at the start, or WARM_UP_MAX_MS passed. */
export async function warmUp(deps: WarmUpDeps, target: number, pollMs = 200): Promise<WarmUpResult> {
  const start = await deps.accepted();
  for (;;) {
    const messages = (await deps.accepted()) - start;
    if (messages >= target) return { messages, reached: true };
    if (deps.elapsedMs() >= WARM_UP_MAX_MS) return { messages, reached: false };
    await deps.pause(pollMs);
  }
}
