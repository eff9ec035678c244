import { greenApiWebhookPath } from '../config/endpoints';
import type { Clock } from '../lib/clock';
import { AppError } from '../lib/errors/app-error';
import { randomId, randomSecret } from '../lib/hash';
import type { Logger } from '../lib/logger';
import type { SecretBox } from '../lib/secret-box';
import type { LineStatus, WhatsAppProvider } from '../providers/provider';
import { changed } from '../store/line-errors';
import type { Line, LineStore } from '../store/line-store';
import type { PortalStore } from '../store/portal-store';
import { forgottenOnReadd } from './line-account';
import { lineRevision } from './line-revision';

export interface LineAdminDeps {
  portals: Pick<PortalStore, 'get'>;
  lines: Pick<LineStore, 'add' | 'get' | 'list' | 'remove' | 'findByPhoneNumberId'>;
  providerFor: (line: Line) => WhatsAppProvider;
  clock: Clock;
  publicUrl: string;
  /** Keys the lines' revisions (lineRevision): the deployment's SecretBox. */
  box: Pick<SecretBox, 'fingerprint'>;
  /**
   * Before a line goes: the line leaves its open line (connector deactivated, attachment dropped),
   * so the open line is free again and its operators' replies no longer reach a removed line.
   */
  detachOpenLine: (memberId: string, lineId: string) => Promise<unknown>;
  log: Pick<Logger, 'warn'>;
  /**
   * After any change of a portal's lines: the composition root re-registers the portal's robots and
   * activities, so their `line` field lists the lines the portal has now.
   */
  onLinesChanged: (memberId: string) => Promise<void>;
  /**
   * What a line's id holds of the account it stood for (its cached templates; its health record
   * unless `health` is false): forgotten when a re-add gives the id another account
   * (lines/line-account.ts) and when the line goes.
   */
  forgetAccount: (memberId: string, lineId: string, what: { health: boolean }) => Promise<void>;
}

/** A line's credentials and settings, before it is stored. */
export interface LineDraft {
  id?: string;
  provider: Line['provider'];
  phoneNumberId: string;
  accessToken: string;
  apiUrl?: string;
  /** Who set `apiUrl`: 'cli' only on the CLI path (the operator's host keeps the plain pool); otherwise the page's. */
  apiUrlBy?: Line['apiUrlBy'];
  webhookToken?: string;
  wabaId?: string;
  /** GupShup: the business number (`source` of every send). */
  source?: string;
  name?: string;
  ratePerSec?: number;
}

/** A fresh line id: url- and key-safe. */
function newLineId(): string {
  return `line-${randomId(4)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')}`;
}

/**
 * Adding, testing, renaming and removing a portal's lines: the one place both the settings page
 * and the CLI change lines through, so the portal's registrations follow every change.
 */
export function createLineAdmin(deps: LineAdminDeps) {
  async function requirePortal(memberId: string): Promise<void> {
    if (!(await deps.portals.get(memberId)))
      throw new AppError('portal_not_installed', `portal ${memberId} is not installed`, { kind: 'not_found' });
  }

  async function requireLine(memberId: string, lineId: string): Promise<Line> {
    const line = await deps.lines.get(memberId, lineId);
    if (!line) throw new AppError('unknown_line', `no line ${lineId} on this portal`, { kind: 'not_found' });
    return line;
  }

  function lineOf(memberId: string, draft: LineDraft): Line {
    return {
      id: draft.id ?? newLineId(),
      memberId,
      provider: draft.provider,
      phoneNumberId: draft.phoneNumberId,
      accessToken: draft.accessToken,
      apiUrl: draft.apiUrl,
      apiUrlBy: draft.apiUrlBy,
      webhookToken: draft.webhookToken,
      wabaId: draft.wabaId,
      source: draft.source,
      name: draft.name || draft.phoneNumberId,
      ratePerSec: draft.ratePerSec,
      createdAt: deps.clock.now(),
    };
  }

  async function clearInstanceWebhook(line: Line): Promise<void> {
    try {
      await deps.providerFor(line).setWebhook?.({ url: '', token: '' });
    } catch (error) {
      deps.log.warn({ err: error, lineId: line.id }, 'could not clear the Green-API instance webhook');
    }
  }

  /** `ifStillAs`: the line as read before this change, written only while it is still that (LineStore.add). */
  async function save(line: Line, ifStillAs?: Line | null): Promise<Line> {
    // The store refuses a number another line already has (400 line_conflict), and a line changed
    // since it was read (422 line_changed); any other failure (Redis down…) is the app's, kept as
    // it is (503, retryable), not blamed on the admin's input.
    await deps.lines.add(line, { ifStillAs });
    await deps.onLinesChanged(line.memberId);
    return line;
  }

  /**
   * Renames a line and/or sets its own send rate (null: the app's default) in one write, only while
   * the line is still as read here (else 422 line_changed). `ifRevision`: the revision of the line
   * the caller showed (lineRevision; the settings page's edit dialog): a line changed since then is
   * not written either, so a dialog opened before a re-add does not put its name and rate over it.
   * A line changed since then that already has exactly the name and rate asked for is answered as
   * it is, nothing written: a repeat of a save that was written (a double click on Save) is no error.
   */
  async function change(
    memberId: string,
    lineId: string,
    to: { name?: string; ratePerSec?: number | null },
    ifRevision?: string,
  ): Promise<Line> {
    const line = await requireLine(memberId, lineId);
    const name = to.name ?? line.name;
    const ratePerSec = to.ratePerSec === undefined ? line.ratePerSec : (to.ratePerSec ?? undefined);
    if (ifRevision !== undefined && lineRevision(line, deps.box) !== ifRevision) {
      if (name === line.name && ratePerSec === line.ratePerSec) return line;
      throw changed(lineId);
    }
    return save({ ...line, name, ratePerSec }, line);
  }

  return {
    /**
     * Stores a line as given (the CLI: no provider call). A re-add (an existing `id`) keeps the
     * line's createdAt: the portal's oldest line is its default (resolveLine), and re-adding it to
     * change its name, rate or tokens must not hand that to another line. Its open-line attachment
     * stays with the id as well. A re-add to another account (number, instance, app, provider or WABA
     * id) forgets the old account's cached templates and (but for a new WABA id alone) health record:
     * a send reading them then reads the new account's. `read`: the line (or null: none) the draft was made
     * from; written only while it is still that (else 422 line_changed), so a change made meanwhile
     * (a rename on the page, a removal) is not overwritten, nor what the draft kept of it outdated.
     */
    async add(memberId: string, draft: LineDraft, read?: { line: Line | null }): Promise<Line> {
      await requirePortal(memberId);
      const line = lineOf(memberId, draft);
      const before = read ? read.line : draft.id === undefined ? null : await deps.lines.get(memberId, draft.id);
      const next = before ? { ...line, createdAt: before.createdAt } : line;
      const forget = before && forgottenOnReadd(before, next);
      // Forgotten once the line is written (a write refused — a conflict, line_changed — keeps the
      // line as it was, with its templates and health), and before the re-registration, which may
      // fail. A crash between the write and this leaves the old account's cached templates and
      // health record, which their account stamps refuse (lines/line-templates.ts,
      // store/line-health-store.ts healthOfLine); a health record of an older release says no
      // number, so counts as the line's until its next read replaces it.
      await deps.lines.add(next, { ifStillAs: read?.line });
      if (forget) await deps.forgetAccount(memberId, next.id, forget);
      await deps.onLinesChanged(memberId);
      return next;
    },

    /** Asks the provider about credentials not stored yet: the number's name, quality and limit, or its state. */
    async test(memberId: string, draft: LineDraft): Promise<LineStatus> {
      return deps.providerFor(lineOf(memberId, draft)).lineStatus();
    },

    /**
     * Connects a line after the provider accepted its credentials. A Green-API instance is pointed
     * at the line's own webhook URL with a fresh token (setSettings); the Cloud API's webhook is the
     * app's, set once in Meta's console.
     */
    async connect(memberId: string, draft: LineDraft): Promise<{ line: Line; status: LineStatus }> {
      await requirePortal(memberId);
      const line = lineOf(memberId, {
        ...draft,
        webhookToken: draft.provider === 'green-api' ? (draft.webhookToken ?? randomSecret(24)) : undefined,
      });
      // A number another line has is refused before anything else: re-pointing its instance's
      // webhook first would cut the connected line off (finding 3). Read from the index itself, as the
      // store's own check is: a route this process remembers may be seconds old.
      const owner = await deps.lines.findByPhoneNumberId(line.phoneNumberId, { fresh: true });
      if (owner && !(owner.memberId === memberId && owner.id === line.id))
        throw new AppError('line_conflict', `phone number id ${line.phoneNumberId} is already connected`, {
          kind: 'bad_input',
        });
      const provider = deps.providerFor(line);
      const status = await provider.lineStatus();
      if (line.provider !== 'green-api') return { line: await save(line), status };
      if (!provider.setWebhook) throw new AppError('internal_error', 'the Green-API provider cannot set its webhook');
      // Stored first (the store refuses a number taken meanwhile), the instance pointed at it last;
      // if that fails, the line goes again: never a stored line whose instance posts elsewhere.
      const saved = await save(line);
      try {
        await provider.setWebhook({
          url: `${deps.publicUrl}${greenApiWebhookPath(line.id)}`,
          token: line.webhookToken ?? '',
        });
      } catch (error) {
        if (await deps.lines.remove(memberId, line.id)) await deps.onLinesChanged(memberId);
        throw error;
      }
      return { line: saved, status };
    },

    async status(memberId: string, lineId: string): Promise<LineStatus> {
      return deps.providerFor(await requireLine(memberId, lineId)).lineStatus();
    },

    change,
    /** The line's revision, sent to the settings page with it and back with its edits (lineRevision). */
    revision: (line: Line) => lineRevision(line, deps.box),

    /**
     * Removes a line: it leaves its open line first (a failure there stops the removal: the line
     * stays whole, to be removed again), then a Green-API instance stops posting to it (best
     * effort: the webhook door refuses a removed line anyway), then the line with its webhook time.
     */
    async disconnect(memberId: string, lineId: string): Promise<boolean> {
      const line = await deps.lines.get(memberId, lineId);
      if (!line) return false;
      await deps.detachOpenLine(memberId, lineId);
      if (line.provider === 'green-api') await clearInstanceWebhook(line);
      const removed = await deps.lines.remove(memberId, lineId);
      if (removed) {
        // A line added later under this id must not find the removed one's templates or health.
        await deps.forgetAccount(memberId, lineId, { health: true });
        await deps.onLinesChanged(memberId);
      }
      return removed;
    },

    list: (memberId: string) => deps.lines.list(memberId),
  };
}

export type LineAdmin = ReturnType<typeof createLineAdmin>;
