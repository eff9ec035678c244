import { randomId } from '../lib/hash';
import type { InboundJob } from './job-schemas';

/**
 * One event's place in the inbound batch being gathered. Its job id is known before the event is
 * queued (the door numbers a customer message at receipt under the job that carries it). Exactly
 * one of `commit` or `cancel` must be called: the batch goes out only when every place is settled.
 */
export interface InboundSlot {
  readonly jobId: string;
  /** Puts the event in its place; resolves once the batch's job is queued (rejects if it could not be). */
  commit(event: InboundJob): Promise<void>;
  /** Gives the place up (the event is not queued after all). */
  cancel(): void;
}

export interface InboundBatcherOptions {
  /** Queues one batch's events as one job with this id. */
  add(events: InboundJob[], jobId: string): Promise<unknown>;
  /** Most events in one batch (a full batch closes at once). */
  maxEvents: number;
}

/** A batch being gathered: open for new places until the event loop turns or it is full. */
interface Batch {
  readonly jobId: string;
  readonly events: Array<InboundJob | undefined>;
  unsettled: number;
  closed: boolean;
  sent: boolean;
  readonly done: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Gathers the inbound events the webhook doors queue within one turn of the event loop into one
 * job: a job per event made BullMQ's lifecycle (its scripts, its job hash, its events) the largest
 * cost of a reply (issue 10). A webhook's answer still waits until its events' job is queued, so
 * nothing is acknowledged before it is durable. The events keep the order their places were taken in.
 */
export class InboundBatcher {
  private open: Batch | null = null;

  constructor(private readonly o: InboundBatcherOptions) {}

  /** Takes a place in the batch being gathered (a new one when none is open). */
  join(): InboundSlot {
    const batch = this.open ?? this.startBatch();
    const index = batch.events.length;
    batch.events.push(undefined);
    batch.unsettled += 1;
    if (batch.events.length >= this.o.maxEvents) this.close(batch);
    let settled = false;
    const settle = (event: InboundJob | undefined) => {
      if (settled) throw new Error('an inbound slot was settled twice');
      settled = true;
      batch.events[index] = event;
      batch.unsettled -= 1;
      this.sendWhenReady(batch);
    };
    return {
      jobId: batch.jobId,
      commit: (event) => {
        settle(event);
        return batch.done;
      },
      cancel: () => settle(undefined),
    };
  }

  private startBatch(): Batch {
    let resolve: () => void = () => undefined;
    let reject: (error: unknown) => void = () => undefined;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A batch whose places were all given up is never sent: its promise is then never awaited.
    done.catch(() => undefined);
    const batch: Batch = {
      jobId: `inb-${randomId(12)}`,
      events: [],
      unsettled: 0,
      closed: false,
      sent: false,
      done,
      resolve,
      reject,
    };
    this.open = batch;
    // Places taken in this turn of the event loop share the batch (webhooks read in the same turn).
    setImmediate(() => this.close(batch));
    return batch;
  }

  private close(batch: Batch): void {
    if (batch.closed) return;
    batch.closed = true;
    if (this.open === batch) this.open = null;
    this.sendWhenReady(batch);
  }

  private sendWhenReady(batch: Batch): void {
    if (!batch.closed || batch.unsettled > 0 || batch.sent) return;
    batch.sent = true;
    const events = batch.events.filter((event): event is InboundJob => event !== undefined);
    if (events.length === 0) {
      batch.resolve();
      return;
    }
    // Called in a promise's turn: an add that throws at once rejects the batch like one that fails later.
    Promise.resolve()
      .then(() => this.o.add(events, batch.jobId))
      .then(batch.resolve, batch.reject);
  }
}
