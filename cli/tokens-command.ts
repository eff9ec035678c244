import { z } from 'zod';
import type { Clock } from '../lib/clock';
import type { ApiToken, ApiTokenStore } from '../store/api-token-store';
import type { LineStore } from '../store/line-store';
import type { PortalStore } from '../store/portal-store';

export interface TokensCommandDeps {
  portals: Pick<PortalStore, 'get' | 'list'>;
  lines: Pick<LineStore, 'get'>;
  apiTokens: Pick<ApiTokenStore, 'create' | 'list' | 'revoke' | 'regenerate'>;
  clock: Clock;
}

const createSchema = z.object({
  portal: z.string().min(1, '--portal <member_id> is required'),
  line: z.string().min(1, '--line <line-id> is required'),
  name: z.string().max(200).optional(),
  limit: z.coerce.number().int().positive('--limit: a positive whole number').optional(),
  'window-sec': z.coerce.number().positive('--window-sec: a positive number').optional(),
  'check-phone-per-sec': z.coerce.number().int().positive('--check-phone-per-sec: a positive whole number').optional(),
});

const iso = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString());
const row = (t: ApiToken) =>
  `${t.id}\t${t.memberId}\t${t.lineId}\t${t.name || '-'}\t${t.perWindow}/${t.windowMs / 1000}s, checkPhone ${t.checkPhonePerSec}/s\t${iso(t.createdAt)}\t${iso(t.lastUsedAt)}`;

/**
 * `tokens create|list|revoke|regenerate`: webhook-API tokens. A new token is printed once, on its own
 * last line (only its HMAC is stored: lost means regenerate).
 */
export async function runTokensCommand(
  rt: TokensCommandDeps,
  sub: string,
  flags: Record<string, string>,
  positional: string[],
): Promise<string> {
  if (sub === 'create') {
    const args = createSchema.parse(flags);
    if (!(await rt.portals.get(args.portal)))
      throw new Error(`portal ${args.portal} is not installed (see: npm run cli -- portals list)`);
    if (!(await rt.lines.get(args.portal, args.line)))
      throw new Error(`no line ${args.line} on portal ${args.portal} (see: npm run cli -- lines list)`);
    const windowMs = args['window-sec'] === undefined ? undefined : Math.round(args['window-sec'] * 1000);
    const limits = {
      ...(args.limit === undefined ? {} : { perWindow: args.limit }),
      ...(windowMs === undefined ? {} : { windowMs }),
      ...(args['check-phone-per-sec'] === undefined ? {} : { checkPhonePerSec: args['check-phone-per-sec'] }),
    };
    const { token, record } = await rt.apiTokens.create({
      memberId: args.portal,
      lineId: args.line,
      name: args.name,
      limits,
      now: rt.clock.now(),
    });
    return `token ${record.id} created for line ${record.lineId} of portal ${record.memberId} (shown once; store it now):\n${token}`;
  }
  if (sub === 'list') {
    const portals = flags.portal ? [flags.portal] : await rt.portals.list();
    const rows = (await Promise.all(portals.map((p) => rt.apiTokens.list(p)))).flat().map(row);
    return rows.length ? ['id\tportal\tline\tname\tlimits\tcreated\tlast used', ...rows].join('\n') : 'no tokens';
  }
  const id = positional[0];
  if (sub === 'revoke') {
    if (!id) throw new Error('usage: tokens revoke <token-id>');
    return (await rt.apiTokens.revoke(id)) ? `token ${id} revoked` : `no token ${id}`;
  }
  if (sub === 'regenerate') {
    if (!id) throw new Error('usage: tokens regenerate <token-id>');
    const renewed = await rt.apiTokens.regenerate(id);
    if (!renewed) throw new Error(`no token ${id}`);
    return `token ${id} regenerated; the old one no longer works (shown once; store it now):\n${renewed.token}`;
  }
  throw new Error('usage: tokens create|list|revoke|regenerate');
}
