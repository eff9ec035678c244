import { greenApiWebhookPath, gupshupWebhookPath } from '../config/endpoints';
import type { AppConfig } from '../config/env-schema';
import { AppError } from '../lib/errors/app-error';
import { errorMessage } from '../lib/errors/classify-error';
import type { LineAdmin } from '../lines/line-admin';
import type { LineHealthService } from '../lines/line-health';
import type { HealthChange, LineHealth } from '../store/line-health-store';
import type { Line, LineStore } from '../store/line-store';
import type { PortalStore } from '../store/portal-store';
import { parseLineAdd } from './line-add-args';
import { type LineReaddDeps, planLineAdd, type SecretOutcome } from './line-readd';

export interface LinesCommandDeps {
  portals: Pick<PortalStore, 'list'>;
  lines: Pick<LineStore, 'list' | 'get'>;
  /** Adds and removes lines (the portal's registrations follow). */
  lineAdmin: Pick<LineAdmin, 'add' | 'disconnect'>;
  config: Pick<AppConfig, 'PUBLIC_URL' | 'LINE_RATE_PER_SEC'> & LineReaddDeps['config'];
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

/**
 * The callback URL's secret segment when the secret was kept: GupShup has it already, so a routine
 * re-add does not write a working credential to a terminal, shell history or CI log again.
 */
const KEPT_SECRET = '<the kept secret, not shown>';

/** What the output says about the webhook/callback secret (cli/line-readd.ts): the URL set at the provider depends on it. */
function secretText(outcome: SecretOutcome, provider: 'green-api' | 'gupshup', url: string): string {
  if (provider === 'green-api') {
    if (outcome.kind === 'kept')
      return `the instance's webhookUrl stays ${url} and its webhookUrlToken was kept (--webhook-token to replace it)`;
    const set = `set the instance's webhookUrl to ${url} and webhookUrlToken to the --webhook-token`;
    return outcome.kind === 'replaced' ? `${set} (a new token: webhooks with the old one are refused)` : set;
  }
  if (outcome.kind === 'kept')
    return `the GupShup app's callback URL stays ${url} (v2 format): its secret was kept, so GupShup needs no change (--webhook-token to replace it)`;
  const set = `set the GupShup app's callback URL to ${url} (v2 format)`;
  if (outcome.kind === 'replaced') return `${set}: its secret is new, callbacks to the URL set before are refused`;
  return outcome.dropped ? `${set}: a new secret, the one of ${outcome.dropped} is not kept` : set;
}

/** `lines add|list|remove`: connect WhatsApp numbers to portals. Returns text to print. */
export async function runLinesCommand(
  rt: LinesCommandDeps,
  sub: string | undefined,
  flags: Record<string, string>,
  positional: string[],
): Promise<string> {
  if (sub === 'add') {
    const args = parseLineAdd(flags);
    const plan = await planLineAdd(rt, args);
    const line = await rt.lineAdmin.add(args.portal, plan.draft, { line: plan.read }).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'portal_not_installed')
        throw new Error(`portal ${args.portal} is not installed (see: npm run cli -- portals list)`);
      // Changed, added or removed between this command's read and its write: nothing was written.
      if (error instanceof AppError && error.code === 'line_changed')
        throw new Error(
          args.id === undefined
            ? 'another line took the id made up for this one while this command ran: nothing was written; run it again'
            : `line ${args.id} changed while this command ran (the settings page or another command): nothing was written; run it again`,
        );
      throw error;
    });
    const { id, webhookToken } = line;
    const added = `line ${id} ${plan.read ? 're-added' : 'added'} to portal ${args.portal} (${REREGISTER_NOTE})`;
    if (args.provider === 'green-api')
      return `${added}; ${secretText(plan.secret, 'green-api', `${rt.config.PUBLIC_URL}${greenApiWebhookPath(id)}`)}${plan.notes}`;
    if (args.provider === 'gupshup' && webhookToken) {
      // A kept secret is already set in GupShup: not written again to a terminal or a CI log.
      const secretPart = plan.secret.kind === 'kept' ? KEPT_SECRET : webhookToken;
      const url = `${rt.config.PUBLIC_URL}${gupshupWebhookPath(id, secretPart).replace(encodeURIComponent(KEPT_SECRET), KEPT_SECRET)}`;
      return `${added}; ${secretText(plan.secret, 'gupshup', url)}${plan.notes}`;
    }
    return `${added}${plan.notes}${await healthOnConnect(rt, line)}`;
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
