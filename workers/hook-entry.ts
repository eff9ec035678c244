import { z } from 'zod';
import { doublingPauseMs } from '../lib/backoff';

/** One event as the portal's event stream holds it. */
export interface HookEntry {
  streamId: string;
  eventId: string;
  type: string;
  /** When it was emitted (the injected clock): the 24-hour budget counts from here. */
  at: number;
  body: string;
}

const fieldsSchema = z.object({
  id: z.string().min(1),
  type: z.string(),
  at: z.coerce.number(),
  body: z.string(),
});

/** Reads a stream entry as XRANGE returns it ([id, [field, value, …]]). */
export function parseHookEntry([streamId, flat]: [string, string[]]): HookEntry {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] ?? ''] = flat[i + 1] ?? '';
  const parsed = fieldsSchema.parse(fields);
  return { streamId, eventId: parsed.id, type: parsed.type, at: parsed.at, body: parsed.body };
}

/** 10 s, 20 s, 40 s … doubling up to an hour between tries of one event. */
export function hookBackoffMs(attempt: number): number {
  return doublingPauseMs(10_000, 3600_000, attempt);
}

/** The smallest of some stream ids (`<ms>-<seq>`). */
export function minStreamId(ids: string[]): string {
  const parse = (id: string) => id.split('-').map((part) => BigInt(part || '0'));
  let best: string | undefined;
  for (const id of ids) {
    if (best === undefined) best = id;
    else {
      const [ams = 0n, aseq = 0n] = parse(id);
      const [bms = 0n, bseq = 0n] = parse(best);
      if (ams < bms || (ams === bms && aseq < bseq)) best = id;
    }
  }
  return best ?? '0-0';
}
