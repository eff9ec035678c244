import { z } from 'zod';
import { EVENT_TYPES, eventTypeSchema } from '../hooks/event-schemas';
import type { HookStore } from '../hooks/hook-store';
import type { Clock } from '../lib/clock';
import type { PortalStore } from '../store/portal-store';

export interface HooksCommandDeps {
  portals: Pick<PortalStore, 'get' | 'list'>;
  hooks: Pick<HookStore, 'add' | 'list' | 'get' | 'remove' | 'deliveries'>;
  clock: Clock;
}

const USAGE = `usage: hooks add --portal <member_id> --url <https-url> [--events ${EVENT_TYPES.join(',')}] [--secret <s>]
       hooks list [--portal <member_id>] | hooks remove <id> | hooks deliveries <id>`;

const addSchema = z.object({
  portal: z.string().min(1, '--portal <member_id> is required'),
  url: z.string().min(1, '--url <https-url> is required'),
  events: z
    .string()
    .optional()
    .transform((list, ctx) => {
      const names = (list ?? '')
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean);
      const bad = names.filter((name) => !eventTypeSchema.safeParse(name).success);
      if (bad.length)
        ctx.addIssue({ code: 'custom', message: `--events: unknown ${bad.join(', ')} (${EVENT_TYPES.join(', ')})` });
      return names.flatMap((name) => eventTypeSchema.safeParse(name).data ?? []);
    }),
  secret: z.string().min(16, '--secret needs at least 16 characters').optional(),
});

const iso = (ms: number) => (ms ? new Date(ms).toISOString() : '-');

/** `hooks add|list|remove|deliveries`. Returns text to print (a generated secret on its own last line). */
export async function runHooksCommand(
  deps: HooksCommandDeps,
  sub: string | undefined,
  flags: Record<string, string>,
  positional: string[],
): Promise<string> {
  const { hooks } = deps;
  if (sub === 'add') {
    const input = addSchema.parse(flags);
    if (!(await deps.portals.get(input.portal))) throw new Error(`no portal ${input.portal}`);
    const { subscription, secret } = await hooks.add({
      memberId: input.portal,
      url: input.url,
      events: input.events,
      secret: input.secret,
      now: deps.clock.now(),
    });
    const events = subscription.events.length ? subscription.events.join(',') : 'every event';
    const head = `subscription ${subscription.id} added: ${subscription.url} (${events})`;
    // A secret the user gave is theirs already; a generated one is shown this once only.
    return input.secret ? head : `${head}\nsecret (shown once; verify X-Signature-256 with it):\n${secret}`;
  }
  if (sub === 'list') {
    const portals = flags.portal ? [flags.portal] : await deps.portals.list();
    const rows: string[] = [];
    for (const memberId of portals)
      for (const s of await hooks.list(memberId))
        rows.push([memberId, s.id, s.url, s.events.join(',') || '*', iso(s.createdAt)].join('\t'));
    return rows.length ? ['portal\tid\turl\tevents\tcreated', ...rows].join('\n') : 'no subscriptions';
  }
  const id = positional[0];
  if ((sub === 'remove' || sub === 'deliveries') && id) {
    const subscription = await hooks.get(id);
    if (!subscription) throw new Error(`no subscription ${id}`);
    if (sub === 'remove') {
      await hooks.remove(id);
      return `subscription ${id} removed; no more events go to ${subscription.url}`;
    }
    const log = await hooks.deliveries(subscription.memberId, id);
    const rows = log.map((d) =>
      [
        iso(d.at),
        d.outcome,
        d.httpStatus || '-',
        d.attempt,
        d.type,
        d.eventId,
        `${d.durationMs}ms`,
        iso(d.nextAt),
        d.error || '-',
      ].join('\t'),
    );
    return rows.length
      ? ['at\toutcome\thttp\tattempt\ttype\tevent\ttook\tnext try\terror', ...rows].join('\n')
      : 'no deliveries yet';
  }
  throw new Error(USAGE);
}
