import { z } from 'zod';
import type { AppConfig } from '../config/env-schema';
import type { PortalStore } from '../store/portal-store';

export interface PortalsCommandDeps {
  portals: Pick<PortalStore, 'list' | 'get' | 'update'>;
  config: Pick<AppConfig, 'DEFAULT_PHONE_REGION' | 'B24_REST_DRAIN_PER_SEC' | 'B24_REST_BURST'>;
}

const setSchema = z.object({
  portal: z.string().min(1, '--portal <member_id> is required'),
  'phone-region': z
    .string()
    .regex(/^[A-Za-z]{2}$/, '--phone-region is a two-letter country code')
    .transform((v) => v.toUpperCase())
    .optional(),
  'rest-drain': z.coerce.number().positive('--rest-drain is requests per second').optional(),
  'rest-burst': z.coerce.number().int().positive('--rest-burst is a whole number').optional(),
});

/** `portals list` and `portals set --portal <id> [--phone-region KZ] [--rest-drain 5 --rest-burst 250]`. */
export async function runPortalsCommand(
  rt: PortalsCommandDeps,
  sub: string | undefined,
  flags: Record<string, string>,
): Promise<string> {
  if (sub === 'list') {
    const rows: string[] = [];
    for (const memberId of await rt.portals.list()) {
      const p = await rt.portals.get(memberId);
      if (p)
        rows.push(
          [
            memberId,
            p.domain,
            p.languageId,
            p.phoneRegion ?? rt.config.DEFAULT_PHONE_REGION,
            `${p.restDrainPerSec ?? rt.config.B24_REST_DRAIN_PER_SEC}/s burst ${p.restBurst ?? rt.config.B24_REST_BURST}`,
            // The portal refuses even fresh tokens: its administrator must reinstall the app.
            p.needsReinstall === undefined ? 'no' : `yes, since ${new Date(p.needsReinstall).toISOString()}`,
          ].join('\t'),
        );
    }
    return rows.length
      ? ['portal\tdomain\tlang\tphone region\tREST limit\tneeds reinstall', ...rows].join('\n')
      : 'no portals';
  }
  if (sub === 'set') {
    const args = setSchema.parse(flags);
    if (!(await rt.portals.get(args.portal))) throw new Error(`portal ${args.portal} is not installed`);
    const updated = await rt.portals.update(args.portal, {
      ...(args['phone-region'] ? { phoneRegion: args['phone-region'] } : {}),
      ...(args['rest-drain'] ? { restDrainPerSec: args['rest-drain'] } : {}),
      ...(args['rest-burst'] ? { restBurst: args['rest-burst'] } : {}),
    });
    return `portal ${args.portal}: phone region ${updated.phoneRegion ?? rt.config.DEFAULT_PHONE_REGION}, REST ${updated.restDrainPerSec ?? rt.config.B24_REST_DRAIN_PER_SEC}/s burst ${updated.restBurst ?? rt.config.B24_REST_BURST}`;
  }
  throw new Error(
    'usage: portals list | portals set --portal <member_id> [--phone-region XX] [--rest-drain N] [--rest-burst N]',
  );
}
