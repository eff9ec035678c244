import type { AppConfig } from '../config/env-schema';
import { isGreenApiInstanceHost } from '../config/green-api-hosts';
import { randomSecret } from '../lib/hash';
import type { LineDraft } from '../lines/line-admin';
import { isGreenApiHostGuarded } from '../lines/provider-for-line';
import { GREEN_API_DEFAULT_URL } from '../providers/green-api/green-api-provider';
import type { Line, LineStore } from '../store/line-store';
import type { LineAddArgs } from './line-add-args';

export interface LineReaddDeps {
  lines: Pick<LineStore, 'get'>;
  config: Pick<AppConfig, 'GREEN_API_HOSTS' | 'ALLOW_PRIVATE_ADDRESSES' | 'GUPSHUP_API_URL'>;
}

/** What became of the webhook (Green-API) or callback (GupShup) secret: the URL set at the provider depends on it. */
export type SecretOutcome =
  /** Not given, the stored one of the same account kept: what the provider has still verifies. */
  | { kind: 'kept' }
  /** Given, and not the one the same account had: what the provider has stops verifying. */
  | { kind: 'replaced' }
  /** Given, or made up (GupShup), on a new line or for another account; `dropped`: that account, whose secret is not kept. */
  | { kind: 'new'; dropped?: string };

/** The line `lines add` stores, and what the command says about what it kept, replaced or dropped. */
export interface PlannedLine {
  draft: LineDraft;
  /** The line under `--id` the draft was made from (null: none): written only while it is still that. */
  read: Line | null;
  secret: SecretOutcome;
  /** `; kept its API host …` sentences (empty when there is nothing to say). */
  notes: string;
}

/** Who a stored `page` setter is (`lines list` prints `page`): a record from before `apiUrlBy` reads as the page's. */
const PAGE_SETTER = 'the settings page (or stored before its setter was recorded)';

/** What names a provider's account in the command's words (the line's `phoneNumberId`). */
const ACCOUNT = { cloud: 'number', 'green-api': 'instance', gupshup: 'app' } as const;

/**
 * What the workers do with a line's host when connecting, by the rule they apply
 * (isGreenApiHostGuarded, lib/connect-guard.ts), as this process's ALLOW_PRIVATE_ADDRESSES and
 * GREEN_API_HOSTS say: the CLI is run with the workers' configuration. GupShup hosts keep the plain
 * pool (lines/provider-for-line.ts): only the CLI adds GupShup lines.
 */
function guardText(config: LineReaddDeps['config'], line: Pick<Line, 'provider' | 'apiUrl' | 'apiUrlBy'>): string {
  if (config.ALLOW_PRIVATE_ADDRESSES) return 'not checked against private addresses (ALLOW_PRIVATE_ADDRESSES is on)';
  if (line.provider === 'gupshup') return 'not checked against private addresses (GupShup hosts never are)';
  if (!isGreenApiHostGuarded(line, config.GREEN_API_HOSTS))
    return 'trusted: not checked against private addresses when connecting (GREEN_API_HOSTS does not name it)';
  return line.apiUrlBy === 'cli'
    ? 'checked against private addresses when connecting (GREEN_API_HOSTS names it)'
    : 'checked against private addresses when connecting';
}

/** The provider's own host, used when a line names none, and how to name it. */
function defaultHost(
  config: LineReaddDeps['config'],
  provider: 'green-api' | 'gupshup',
): { name: string; url: string } {
  return provider === 'gupshup'
    ? { name: "GupShup's default", url: config.GUPSHUP_API_URL }
    : { name: "Green-API's default", url: GREEN_API_DEFAULT_URL };
}

/**
 * Who owns a line's host after `lines add` (Green-API and GupShup; a Cloud line has none). Naming
 * `--api-url` makes it the operator's ('cli': a Green-API host outside GREEN_API_HOSTS is not checked
 * against private addresses, see isGreenApiHostGuarded). Without `--api-url`, a re-add for the same
 * account keeps the line's host and its setter. Why: a host a portal admin typed on the settings page
 * ('page') must not turn trusted, and so reachable on a private address, because the operator re-added
 * the line for another reason; the host changes hands only when the operator names it, and the output
 * says so. For another account, a page-set host (typed for the old account: the new credentials never
 * go there) and a host of the old account's own (Green-API's 7103.api.green-api.com or 7103.api.greenapi.com serves 7103…) give
 * way to the provider's default, and the output says so; a host the operator set for every account
 * (an in-house relay) is kept. Read here, then written by lineAdmin.add only while the line is still
 * as read: a settings-page change or a removal in between refuses the write (line_changed).
 */
function addedHost(
  config: LineReaddDeps['config'],
  args: LineAddArgs,
  before: Line | null,
): Pick<LineDraft, 'apiUrl' | 'apiUrlBy'> & { note: string } {
  if (args.provider === 'cloud') return { apiUrl: undefined, apiUrlBy: 'cli', note: '' };
  const { provider } = args;
  const stored = before?.apiUrl !== undefined ? before : undefined;
  // Stored lines are parsed on read, so they carry a setter; the type (the schema's input) may not.
  const storedBy = stored?.apiUrlBy ?? 'page';
  const storedUrl = stored?.apiUrl === undefined ? undefined : new URL(stored.apiUrl);
  const storedHost = storedUrl?.host ?? '';
  if (args.apiUrl !== undefined) {
    const line = { provider, apiUrl: args.apiUrl, apiUrlBy: 'cli' } as const;
    const host = new URL(args.apiUrl).host;
    const note =
      stored && storedBy === 'page'
        ? `; its API host ${host} is now the CLI's (was ${storedHost}, set by ${PAGE_SETTER}): ${guardText(config, line)}`
        : `; its API host ${host} is the CLI's: ${guardText(config, line)}`;
    return { apiUrl: line.apiUrl, apiUrlBy: line.apiUrlBy, note };
  }
  if (!stored) return { apiUrl: undefined, apiUrlBy: 'cli', note: '' };
  const fallback = defaultHost(config, provider);
  const accountHost = provider === 'green-api' && isGreenApiInstanceHost(storedUrl?.hostname ?? '');
  if (stored.phoneNumberId !== args.phoneNumberId && (storedBy === 'page' || accountHost)) {
    const whose = storedBy === 'page' ? `set by ${PAGE_SETTER}` : 'a Green-API host';
    const account = ACCOUNT[provider];
    return {
      apiUrl: undefined,
      apiUrlBy: 'cli',
      note: `; its API host is now ${fallback.name} ${new URL(fallback.url).host}: the host it had, ${storedHost}, was ${whose} for ${account} ${stored.phoneNumberId} (--api-url to name the new ${account}'s host)`,
    };
  }
  const by = storedBy === 'cli' ? 'the CLI' : PAGE_SETTER;
  return {
    apiUrl: stored.apiUrl,
    apiUrlBy: storedBy,
    note: `; kept its API host ${storedHost}, set by ${by}: ${guardText(config, stored)} (--api-url to replace it; --api-url ${fallback.url} for ${fallback.name})`,
  };
}

/**
 * The webhook (Green-API) or callback (GupShup) secret. The provider holds it (Green-API's
 * webhookUrlToken; the path of the callback URL set in GupShup), and the CLI does not tell the
 * provider: a re-add for the same account keeps it unless `--webhook-token` is given, so what the
 * provider has keeps verifying. A secret is the old account's only: another account gets the one
 * given, or a new one (GupShup; Green-API requires it, as for a new line).
 */
function addedSecret(
  args: LineAddArgs,
  before: Line | null,
): { webhookToken: string | undefined; secret: SecretOutcome } {
  if (args.provider === 'cloud') return { webhookToken: undefined, secret: { kind: 'new' } };
  const sameAccount = before?.phoneNumberId === args.phoneNumberId;
  const stored = sameAccount ? before?.webhookToken : undefined;
  if (args.webhookToken !== undefined) {
    const replaced = stored !== undefined && stored !== args.webhookToken;
    return { webhookToken: args.webhookToken, secret: { kind: replaced ? 'replaced' : stored ? 'kept' : 'new' } };
  }
  if (stored !== undefined) return { webhookToken: stored, secret: { kind: 'kept' } };
  if (args.provider === 'green-api')
    throw new Error(
      before
        ? `--webhook-token of at least 16 characters is required for a new instance (the stored one is instance ${before.phoneNumberId}'s)`
        : '--webhook-token of at least 16 characters is required for a new line',
    );
  const dropped = before?.webhookToken !== undefined ? `${ACCOUNT.gupshup} ${before.phoneNumberId}` : undefined;
  return { webhookToken: randomSecret(24).replace(/[^A-Za-z0-9]/g, 'x'), secret: { kind: 'new', dropped } };
}

/**
 * A Cloud line's WhatsApp Business Account id (its templates are listed from it; template webhooks
 * name it). A re-add for the same number keeps it unless `--waba-id` is given; another number may
 * belong to another account, so the old one's is not kept: the output says so.
 */
function addedWaba(args: LineAddArgs, before: Line | null): { wabaId: string | undefined; note: string } {
  const stored = before?.wabaId;
  if (args.provider !== 'cloud') return { wabaId: undefined, note: '' };
  if (args.wabaId !== undefined) {
    const changed = stored !== undefined && stored !== args.wabaId && before?.phoneNumberId === args.phoneNumberId;
    const note = changed
      ? `; its WABA id is now ${args.wabaId} (was ${stored}): the templates cached from ${stored} were dropped`
      : '';
    return { wabaId: args.wabaId, note };
  }
  if (stored === undefined || !before) return { wabaId: undefined, note: '' };
  if (before.phoneNumberId === args.phoneNumberId)
    return {
      wabaId: stored,
      note: `; kept its WABA id ${stored}: its templates are listed from it (--waba-id to replace it)`,
    };
  return {
    wabaId: undefined,
    note: `; its WABA id ${stored} was number ${before.phoneNumberId}'s and is not kept for number ${args.phoneNumberId}: templates are not listed until --waba-id names the new number's account`,
  };
}

/**
 * What stays with the line's id when it now stands for another account or provider (lineAdmin.add
 * keeps the line's place among the portal's lines, the oldest being the default, and its open-line
 * attachment; forgets the cached templates and health record read from the old account).
 */
function accountText(found: Line | null, args: LineAddArgs): string {
  if (!found) return '';
  const stays =
    "kept its place among the portal's lines (the oldest is the default) and its open line; its cached templates and health record were dropped";
  if (found.provider !== args.provider)
    return `; it was a ${found.provider} line (${ACCOUNT[found.provider]} ${found.phoneNumberId}): none of its settings are kept (name, rate, secret, API host, WABA id); ${stays}${stillPosts(found)}`;
  if (found.phoneNumberId === args.phoneNumberId) return '';
  const account = ACCOUNT[args.provider];
  return `; it is now ${account} ${args.phoneNumberId} (was ${found.phoneNumberId}): ${stays}${stillPosts(found)}`;
}

/**
 * The old account's provider still calls the line's URL (lines remove clears a Green-API instance's
 * webhook; a re-add does not reach the old account): each call is refused (401, bad_signature) and
 * logged, so the output says where to stop it.
 */
function stillPosts(old: Line): string {
  if (old.provider === 'green-api')
    return `; clear instance ${old.phoneNumberId}'s webhookUrl in Green-API: its webhooks still come here and are refused`;
  if (old.provider === 'gupshup')
    return `; clear app ${old.phoneNumberId}'s callback URL in GupShup: its callbacks still come here and are refused`;
  return '';
}

/** `; kept its name "Shop" and rate 5/s`: what a re-add kept that it was not given. */
function keptText(args: LineAddArgs, keptName: string | undefined, keptRate: number | undefined): string {
  const kept = [
    args.name === undefined && keptName !== undefined ? `name "${keptName}"` : '',
    args.rate === undefined && keptRate !== undefined ? `rate ${keptRate}/s` : '',
  ].filter(Boolean);
  return kept.length ? `; kept its ${kept.join(' and ')} (--name, --rate to change)` : '';
}

/**
 * The line a `lines add` stores. A re-add (`--id` of an existing line of the same provider) keeps
 * every optional setting it is not given: name, rate, webhook/callback secret, API host and its
 * setter, WABA id, as far as they belong to the account given (the Cloud API's phone number id,
 * Green-API's idInstance, GupShup's app name: what the provider's webhooks name and the route of
 * line_conflict). A line of another provider under that id keeps none of them. Either way the line
 * keeps its place and open line (accountText).
 */
export async function planLineAdd(deps: LineReaddDeps, args: LineAddArgs): Promise<PlannedLine> {
  const found = args.id === undefined ? null : await deps.lines.get(args.portal, args.id);
  const before = found?.provider === args.provider ? found : null;
  const host = addedHost(deps.config, args, before);
  const { webhookToken, secret } = addedSecret(args, before);
  const waba = addedWaba(args, before);
  // A name left as the old account's id (the default) is not carried to another account.
  const keptName = before && before.name !== before.phoneNumberId ? before.name : undefined;
  const keptRate = before?.ratePerSec;
  return {
    draft: {
      id: args.id,
      provider: args.provider,
      phoneNumberId: args.phoneNumberId,
      accessToken: args.accessToken,
      apiUrl: host.apiUrl,
      apiUrlBy: host.apiUrlBy,
      webhookToken,
      wabaId: waba.wabaId,
      source: args.source,
      name: args.name ?? keptName,
      ratePerSec: args.rate ?? keptRate,
    },
    read: found,
    secret,
    notes: `${accountText(found, args)}${keptText(args, keptName, keptRate)}${host.note}${waba.note}`,
  };
}
