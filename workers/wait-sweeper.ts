import type { Runtime } from '../runtime/create-runtime';
import type { WaitService } from '../waits/wait-service';

/**
 * Every minute, ends waits whose deadline passed more than `graceMs` ago (longer than the timer
 * job's whole retry schedule): the timer normally does it; this catches one that failed for good. No open wait lives forever.
 */
export class WaitSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly rt: Runtime, private readonly waits: WaitService, private readonly everyMs = 60_000, private readonly graceMs = 60 * 60_000) {}

  start(): void {
    this.timer = setInterval(() => { this.running = this.sweep(); }, this.everyMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  async sweep(): Promise<number> {
    let ended = 0;
    try {
      for (const memberId of await this.rt.portals.list()) ended += await this.waits.sweepOverdue(memberId, this.graceMs);
    } catch (error) {
      this.rt.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'overdue-wait sweep failed; next minute again');
    }
    return ended;
  }
}
