import { z } from 'zod';
import { greenApiWebhookPath, gupshupWebhookPath } from '../config/endpoints';
import type { AppConfig } from '../config/env-schema';
import { AppError } from '../lib/errors/app-error';
import { errorMessage } from '../lib/errors/classify-error';
import { randomSecret } from '../lib/hash';
import type { LineAdmin } from '../lines/line-admin';
import type { LineHealthService } from '../lines/line-health';
import { isGreenApiHostGuarded } from '../lines/provider-for-line';
import { GREEN_API_DEFAULT_URL } from '../providers/green-api/green-api-provider';
import type { HealthChange, LineHealth } from '../store/line-health-store';
import type { Line, LineStore } from '../store/line-store';
import type { PortalStore } from '../store/portal-store';

export interface LinesCommandDeps {
  portals: Pick<PortalStore, 'list'>;
  lines: Pick<LineStore, 'list' | 'get'>;
  /** Adds and removes lines (the portal's registrations follow). */
  lineAdmin: Pick<LineAdmin, 'add' | 'disconnect'>;
  config: Pick<AppConfig, 'PUBLIC_URL' | 'LINE_RATE_PER_SEC' | 'GREEN_API_HOSTS' | 'ALLOW_PRIVATE_ADDRESSES'>;
  /** Cloud API lines' quality, limit and throughput (read on connect and by `lines health`). */
  lineHealth?: Pick<LineHealthService, 'read' | 'all'>;
}

/** One health record as text: `GREEN TIER_2K STANDARD CONNECTED (quality_drop GREEN→YELLOW 2026-…)`. */
function healthText(h: LineHealth | undefined): string {
  if (!h) return '-';
  const parts = [h.qualityRating, h.messagingLimit, h.throughput, h.status].filter(Boolean).join(' ') || '-';
  return h.lastChange ? `${parts} (${changeText(h.lastChange)})` : parts;
}

/** A health change as text: `quality_drop GREEN→YELLOW 2026-12-01T10:00:00.000Z`. */
function changeText(c: HealthChange): string {
  return `${c.kind} ${c.from}→${c.to} ${new Date(c.at).toISOString()}`;
}

/**
 * A line's own API host and who set it (`lines list`): `1101.api.green-api.com\tpage`. Only the
 * host (with its port): a URL may carry credentials (user:password@, a token in its path or query).
 * Unless ALLOW_PRIVATE_ADDRESSES, a page-set Green-API host is guarded when connecting; a CLI-set
 * one outside GREEN_API_HOSTS is not (isGreenApiHostGuarded). GupShup hosts never are.
 */
function apiHostText(line: Line): string {
  if (line.apiUrl === undefined) return '-\t-';
  return `${new URL(line.apiUrl).host}\t${line.apiUrlBy ?? 'page'}`;
}

/** Reads a line's health on connect; a failure is reported, not fatal (the sweep reads it again). */
async function healthOnConnect(rt: LinesCommandDeps, line: Line): Promise<string> {
  if (!rt.lineHealth || line.provider !== 'cloud') return '';
  try {
    return `; health: ${healthText(await rt.lineHealth.read(line, 'connect'))}`;
  } catch (error) {
    return `; health could not be read (${errorMessage(error)}): the hourly sweep tries again`;
  }
}

/** What every change says: the line admin queues the re-registration (lines/line-admin.ts onLinesChanged). */
const REREGISTER_NOTE = "robots and activities will be re-registered with the portal's lines";

const common = {
  portal: z.string().min(1, '--portal <member_id> is required'),
  name: z.string().optional(),
  rate: z.coerce.number().int().positive().optional(),
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional(),
};
const cloudSchema = z.object({
  ...common,
  provider: z.literal('cloud').default('cloud'),
  'phone-number-id': z.string().min(1, '--phone-number-id is required'),
  'access-token': z.string().min(1, '--access-token is required'),
  /** The WhatsApp Business Account id: the line's templates are listed from it. */
  'waba-id': z.string().regex(/^\d+$/, '--waba-id must be the account id (digits)').optional(),
});
const greenApiSchema = z.object({
  ...common,
  provider: z.literal('green-api'),
  'id-instance': z.string().regex(/^\d+$/, '--id-instance <digits> is required'),
  'api-token': z.string().min(1, '--api-token is required'),
  'api-url': z.url({ protocol: /^https?$/ }).optional(),
  // Green-API sends it back as `Authorization: Bearer <token>` on every webhook (webhookUrlToken).
  'webhook-token': z.string().min(16, '--webhook-token of at least 16 characters is required'),
});

const gupshupSchema = z.object({
  ...common,
  provider: z.literal('gupshup'),
  'app-name': z.string().regex(/^[A-Za-z0-9_-]+$/, '--app-name <GupShup app name> is required'),
  'api-key': z.string().min(1, '--api-key is required'),
  source: z
    .string()
    .transform((v) => v.replace(/\D/g, ''))
    .pipe(z.string().regex(/^\d{6,15}$/, '--source <business number with country code> is required')),
  'api-url': z.url({ protocol: /^https?$/ }).optional(),
  // GupShup signs nothing: the secret is part of the callback URL (one is made up when not given).
  'webhook-token': z.string().min(16, '--webhook-token must be at least 16 characters').optional(),
});

/** `--provider cloud|green-api|gupshup` with that provider's own flags → the line fields. */
function parseAdd(flags: Record<string, string>) {
  if (flags.provider === 'gupshup') {
    const a = gupshupSchema.parse(flags);
    return {
      ...a,
      phoneNumberId: a['app-name'],
      accessToken: a['api-key'],
      apiUrl: a['api-url'],
      webhookToken: a['webhook-token'] ?? randomSecret(24).replace(/[^A-Za-z0-9]/g, 'x'),
      wabaId: undefined,
      source: a.source,
    };
  }
  if (flags.provider === 'green-api') {
    const a = greenApiSchema.parse(flags);
    return {
      ...a,
      phoneNumberId: a['id-instance'],
      accessToken: a['api-token'],
      apiUrl: a['api-url'],
      webhookToken: a['webhook-token'],
      wabaId: undefined,
      source: undefined,
    };
  }
  if (flags.provider !== undefined && flags.provider !== 'cloud')
    throw new Error('--provider must be cloud, green-api or gupshup');
  const a = cloudSchema.parse(flags);
  return {
    ...a,
    phoneNumberId: a['phone-number-id'],
    accessToken: a['access-token'],
    wabaId: a['waba-id'],
    apiUrl: undefined,
    webhookToken: undefined,
    source: undefined,
  };
}

/** The API host a `lines add` stores, who set it, and what to tell the operator about it. */
interface AddedHost {
  apiUrl: string | undefined;
  apiUrlBy: 'page' | 'cli';
  note: string;
}

/** Who a stored `page` setter is (`lines list` prints `page`): a record from before `apiUrlBy` reads as the page's. */
const PAGE_SETTER = 'the settings page (or stored before its setter was recorded)';

/**
 * What the workers do with a Green-API line's host when connecting, by the rule they apply
 * (isGreenApiHostGuarded, lib/connect-guard.ts), as this process's ALLOW_PRIVATE_ADDRESSES and
 * GREEN_API_HOSTS say: the CLI is run with the workers' configuration.
 */
function guardText(config: LinesCommandDeps['config'], line: Pick<Line, 'apiUrl' | 'apiUrlBy'>): string {
  if (config.ALLOW_PRIVATE_ADDRESSES) return 'not checked against private addresses (ALLOW_PRIVATE_ADDRESSES is on)';
  if (!isGreenApiHostGuarded(line, config.GREEN_API_HOSTS))
    return 'trusted: not checked against private addresses when connecting (GREEN_API_HOSTS does not name it)';
  return line.apiUrlBy === 'cli'
    ? 'checked against private addresses when connecting (GREEN_API_HOSTS names it)'
    : 'checked against private addresses when connecting';
}

/**
 * Who owns a Green-API line's host after `lines add`. Naming `--api-url` makes it the operator's
 * ('cli': outside GREEN_API_HOSTS not checked against private addresses, see isGreenApiHostGuarded).
 * Without `--api-url`, re-adding an existing Green-API line (`--id`, to change its name, rate or
 * tokens: there is no other CLI command for that) keeps the line's host and its setter while the
 * instance stays the same. Why: a host a portal admin typed on the settings page ('page') must not
 * turn trusted, and so reachable on a private address, because the operator re-added the line for
 * another reason; the host changes hands only when the operator names it, and the output says so.
 * With a new `--id-instance` and no `--api-url`, a page-set host (typed for the old instance: the new
 * apiToken never goes there) and a Green-API host of the old instance's own (7103.api.green-api.com
 * serves 7103…) give way to Green-API's default, and the output says so; a host the operator set
 * for every instance (an in-house relay) is kept. Read, then written by lineAdmin.add: a settings-page change
 * in between is overwritten, as any re-add overwrites the line; a line disconnected in between comes
 * back with the setter read, so a page-set host stays guarded.
 */
/** A Green-API host serving one range of instances (7103.api.green-api.com), not a relay. */
const INSTANCE_HOST = /^\d+\.api\.green-api\.com$/i;

async function addedHost(rt: LinesCommandDeps, args: ReturnType<typeof parseAdd>): Promise<AddedHost> {
  const before = args.id && args.provider === 'green-api' ? await rt.lines.get(args.portal, args.id) : null;
  const stored = before?.provider === 'green-api' && before.apiUrl !== undefined ? before : undefined;
  // Stored lines are parsed on read, so they carry a setter; the type (the schema's input) may not.
  const storedBy = stored?.apiUrlBy ?? 'page';
  const storedHost = stored?.apiUrl === undefined ? '' : new URL(stored.apiUrl).host;
  if (args.apiUrl !== undefined) {
    const line = { apiUrl: args.apiUrl, apiUrlBy: 'cli' } as const;
    const host = new URL(args.apiUrl).host;
    const note =
      stored && storedBy === 'page'
        ? `; its API host ${host} is now the CLI's (was ${storedHost}, set by ${PAGE_SETTER}): ${guardText(rt.config, line)}`
        : `; its API host ${host} is the CLI's: ${guardText(rt.config, line)}`;
    return { ...line, note };
  }
  if (!stored) return { apiUrl: undefined, apiUrlBy: 'cli', note: '' };
  if (stored.phoneNumberId !== args.phoneNumberId && (storedBy === 'page' || INSTANCE_HOST.test(storedHost))) {
    const whose = storedBy === 'page' ? `set by ${PAGE_SETTER}` : 'a Green-API host';
    return {
      apiUrl: undefined,
      apiUrlBy: 'cli',
      note: `; its API host is now Green-API's default ${new URL(GREEN_API_DEFAULT_URL).host}: the host it had, ${storedHost}, was ${whose} for instance ${stored.phoneNumberId} (--api-url to name the new instance's host)`,
    };
  }
  const by = storedBy === 'cli' ? 'the CLI' : PAGE_SETTER;
  return {
    apiUrl: stored.apiUrl,
    apiUrlBy: storedBy,
    note: `; kept its API host ${storedHost}, set by ${by}: ${guardText(rt.config, stored)} (--api-url to replace it; --api-url ${GREEN_API_DEFAULT_URL} for Green-API's default)`,
  };
}

/** `lines add|list|remove`: connect WhatsApp numbers to portals. Returns text to print. */
export async function runLinesCommand(
  rt: LinesCommandDeps,
  sub: string | undefined,
  flags: Record<string, string>,
  positional: string[],
): Promise<string> {
  if (sub === 'add') {
    const args = parseAdd(flags);
    const host = await addedHost(rt, args);
    const line = await rt.lineAdmin
      .add(args.portal, {
        id: args.id,
        provider: args.provider,
        phoneNumberId: args.phoneNumberId,
        accessToken: args.accessToken,
        apiUrl: host.apiUrl,
        apiUrlBy: host.apiUrlBy,
        webhookToken: args.webhookToken,
        wabaId: args.wabaId,
        source: args.source,
        name: args.name,
        ratePerSec: args.rate,
      })
      .catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'portal_not_installed')
          throw new Error(`portal ${args.portal} is not installed (see: npm run cli -- portals list)`);
        throw error;
      });
    const { id } = line;
    if (args.provider === 'green-api')
      return `line ${id} added to portal ${args.portal} (${REREGISTER_NOTE}); set the instance's webhookUrl to ${rt.config.PUBLIC_URL}${greenApiWebhookPath(id)} and webhookUrlToken to the --webhook-token${host.note}`;
    if (args.provider === 'gupshup' && args.webhookToken)
      return `line ${id} added to portal ${args.portal} (${REREGISTER_NOTE}); set the GupShup app's callback URL to ${rt.config.PUBLIC_URL}${gupshupWebhookPath(id, args.webhookToken)} (v2 format)`;
    return `line ${id} added to portal ${args.portal} (${REREGISTER_NOTE})${await healthOnConnect(rt, line)}`;
  }
  if (sub === 'health') {
    const portal = flags.portal;
    const lineId = positional[0] ?? flags.line;
    if (!portal || !lineId) throw new Error('usage: lines health <line-id> --portal <member_id>');
    const line = await rt.lines.get(portal, lineId);
    if (!line) throw new Error(`no line ${lineId} on portal ${portal}`);
    if (!rt.lineHealth) throw new Error('line health is not available here');
    const h = await rt.lineHealth.read(line, 'cli');
    const rows = [
      ['quality_rating', h.qualityRating],
      ['messaging_limit', h.messagingLimit],
      ['throughput', h.throughput],
      ['status', h.status],
      ['connected', h.connected === undefined ? undefined : String(h.connected)],
      ['last_change', h.lastChange ? changeText(h.lastChange) : undefined],
    ];
    return rows.map(([k, v]) => `${k}\t${v ?? '-'}`).join('\n');
  }
  if (sub === 'list') {
    const portals = flags.portal ? [flags.portal] : await rt.portals.list();
    const rows: string[] = [];
    for (const memberId of portals) {
      const health = (await rt.lineHealth?.all(memberId)) ?? {};
      for (const line of await rt.lines.list(memberId)) {
        rows.push(
          `${memberId}\t${line.id}\t${line.provider}\t${line.phoneNumberId}\t${line.name}\t${line.ratePerSec ?? rt.config.LINE_RATE_PER_SEC}/s\t${apiHostText(line)}\t${healthText(health[line.id])}`,
        );
      }
    }
    return rows.length
      ? ['portal\tline\tprovider\tphone_number_id\tname\trate\tapi_host\tapi_host_by\thealth', ...rows].join('\n')
      : 'no lines';
  }
  if (sub === 'remove') {
    const portal = flags.portal;
    const lineId = positional[0] ?? flags.line;
    if (!portal || !lineId) throw new Error('usage: lines remove <line-id> --portal <member_id>');
    if (!(await rt.lineAdmin.disconnect(portal, lineId))) return `no line ${lineId} on portal ${portal}`;
    return `line ${lineId} removed (${REREGISTER_NOTE})`;
  }
  throw new Error('usage: lines add|list|health|remove');
}
