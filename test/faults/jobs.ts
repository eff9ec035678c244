import { Queue } from 'bullmq';
import type { Runtime } from '../../runtime/create-runtime';
import { pollUntil } from '../helpers/poll';

/** A job a worker process held (active, its lock) when it was killed. */
export interface HeldJob {
  queue: string;
  id: string;
  /** The run tag in a run-action job's message text. */
  tag?: number;
}

const queuesOf = (rt: Runtime) => Object.values(rt.queues).filter((q): q is Queue => q instanceof Queue);

function tagOf(scenario: string, data: unknown): number | undefined {
  const properties = data && typeof data === 'object' && 'properties' in data ? data.properties : undefined;
  if (!properties || typeof properties !== 'object') return undefined;
  const text = Object.values(properties).find((v) => typeof v === 'string' && v.startsWith(`[${scenario}:`));
  const match = typeof text === 'string' ? /^\[\w+:(\d+)\]/.exec(text) : null;
  return match?.[1] ? Number(match[1]) : undefined;
}

/**
 * The active jobs whose `processedBy` is the named worker process. Read right after a kill -9: its
 * jobs stay active, under its lock, until the lock lapses and the stalled check moves them back.
 */
export async function jobsHeldBy(rt: Runtime, workerName: string, scenario: string): Promise<HeldJob[]> {
  const held: HeldJob[] = [];
  for (const queue of queuesOf(rt)) {
    for (const job of await queue.getActive()) {
      if (job.processedBy !== workerName || !job.id) continue;
      held.push({ queue: queue.name, id: job.id, tag: tagOf(scenario, job.data) });
    }
  }
  return held;
}

const key = (queue: string, id: string) => `${queue}/${id}`;

/**
 * When each held job was taken again (its next `active` event in the queue's event stream, stamped
 * by Redis' clock, after `since`): a positive signal, polled until every job has one or `timeoutMs`.
 */
export async function watchPickups(
  rt: Runtime,
  held: HeldJob[],
  since: number,
  timeoutMs: number,
): Promise<Map<string, number>> {
  const pickedAt = new Map<string, number>();
  const wanted = new Set(held.map((j) => key(j.queue, j.id)));
  const from = new Map<string, string>();
  const streams = queuesOf(rt).filter((q) => held.some((j) => j.queue === q.name));
  await pollUntil(
    async () => {
      for (const queue of streams) {
        const stream = queue.keys.events;
        if (!stream) throw new Error(`${queue.name}: no events key`);
        const start = from.get(queue.name) ?? `${since}-0`;
        const entries = await rt.redis.xrange(stream, start, '+', 'COUNT', 5000);
        for (const [id, fields] of entries) {
          from.set(queue.name, `(${id}`);
          const field = (name: string) => fields.find((_, i) => i % 2 === 1 && fields[i - 1] === name);
          const job = key(queue.name, field('jobId') ?? '');
          if (field('event') === 'active' && wanted.has(job) && !pickedAt.has(job))
            pickedAt.set(job, Number(id.split('-')[0]));
        }
      }
      return pickedAt.size === wanted.size;
    },
    timeoutMs,
    `every job of the killed worker taken again (${pickedAt.size} of ${wanted.size} within ${timeoutMs} ms)`,
    100,
  );
  return pickedAt;
}

export const pickupKey = key;
