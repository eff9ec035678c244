/**
 * A loop that runs a pass, then sleeps for as long as the pass says — or until `wake()`, which
 * pub/sub calls when there is work. The callback dispatcher, the hook deliverer and the open-line
 * dispatcher run on it: woken at once when something is queued, polling only as a safety net.
 */
export interface WakeableLoopOptions {
  /** One pass; returns how long to sleep (ms) before the next unless woken. */
  pass: () => Promise<number>;
  /** The sleep after a pass that failed. */
  fallbackMs: number;
  onError: (error: unknown) => void;
  /** A sleep ran out without a wake-up (e.g. a retry came due: look at everything). */
  onTimeout?: () => void;
  /** Runs once the loop has ended, once per stop (its owner's drains and wake-up connection). */
  onStopped?: () => Promise<void>;
}

export class WakeableLoop {
  private running = false;
  private woken = false;
  private wakeUp: (() => void) | null = null;
  private done: Promise<void> = Promise.resolve();
  /** The stop under way or done: a second stop() (a shutdown hook run twice) waits for it, touching nothing. */
  private stopping: Promise<void> | null = null;

  constructor(private readonly o: WakeableLoopOptions) {}

  get isRunning(): boolean {
    return this.running;
  }

  /** Starts the loop (once). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = null;
    this.done = this.run();
  }

  /** Ends the loop after the pass in flight, then runs `onStopped`; once (a second call resolves with the first). */
  stop(): Promise<void> {
    this.stopping ??= this.end();
    return this.stopping;
  }

  private async end(): Promise<void> {
    this.running = false;
    this.wake();
    await this.done;
    await this.o.onStopped?.();
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken || !this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.o.onTimeout?.();
        done();
      }, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.woken = false;
      let sleepMs = this.o.fallbackMs;
      try {
        sleepMs = await this.o.pass();
      } catch (error) {
        this.o.onError(error);
      }
      await this.sleep(sleepMs);
      this.wakeUp = null;
    }
  }
}
