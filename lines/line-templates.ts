import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { MessageTemplate } from '../providers/message-template';
import type { WhatsAppProvider } from '../providers/provider';
import type { Line, LineStore } from '../store/line-store';
import type { CachedTemplates, TemplateStore } from '../store/template-store';
import { lineAccount } from './line-account';

/** A cached list older than this is read again before a send relies on it. */
const FRESH_MS = 3_600_000;
/** A name missing from a list at least this old makes the line read the list again (just approved?). */
const MISSING_REREAD_MS = 60_000;
/** After a failed read the cached list is used this long before the account is asked again. */
const RETRY_AFTER_FAILURE_MS = 60_000;
/** How long one process's claim on reading a line's list holds at most (the read's own time-out is shorter). */
const READ_CLAIM_MS = 30_000;

export interface LineTemplatesDeps {
  store: Pick<TemplateStore, 'get' | 'put' | 'claimRead' | 'releaseRead' | 'failedAt' | 'noteFailed' | 'drop'>;
  lines: Pick<LineStore, 'findByWabaId'>;
  providerFor: (line: Line) => Pick<WhatsAppProvider, 'listTemplates'>;
  clock: Clock;
  log: Logger;
}

/** A line's templates: from the cache, or read from the provider (every page) and cached. */
export function createLineTemplates(deps: LineTemplatesDeps) {
  /**
   * Reads in flight in this process, by line and the account it stands for: concurrent sends share
   * one read, but a send on a line re-added to another account never joins a read of the old one.
   */
  const reading = new Map<string, Promise<CachedTemplates | null>>();
  const readingKey = (line: Line) => `${line.memberId}|${line.id}|${lineAccount(line)}`;

  async function read(line: Line): Promise<CachedTemplates | null> {
    const provider = deps.providerFor(line);
    if (!provider.listTemplates) return null;
    try {
      const templates = await provider.listTemplates();
      const at = deps.clock.now();
      const account = lineAccount(line);
      await deps.store.put(line.memberId, line.id, templates, at, account);
      return { at, templates, account };
    } catch (error) {
      await deps.store.noteFailed(line.memberId, line.id, deps.clock.now());
      throw error;
    }
  }

  /** Reads the list once per line at a time in this process (a forced read too: the caller waits for it). */
  function refresh(line: Line): Promise<CachedTemplates | null> {
    const key = readingKey(line);
    const running = reading.get(key);
    if (running) return running;
    const started = read(line).finally(() => reading.delete(key));
    reading.set(key, started);
    return started;
  }

  /**
   * A read a send asks for (the list is stale, or a name is missing): not within a minute of a
   * failed one, and not while another process reads it — the cached list serves meanwhile (null:
   * none read now). Without a cached list the account is read all the same.
   */
  async function refreshIfDue(line: Line, cached: CachedTemplates | null): Promise<CachedTemplates | null> {
    if (!cached) return refresh(line);
    const failedAt = await deps.store.failedAt(line.memberId, line.id);
    if (failedAt !== null && failedAt > cached.at && deps.clock.now() - failedAt < RETRY_AFTER_FAILURE_MS) return null;
    if (reading.has(readingKey(line))) return refresh(line);
    if (!(await deps.store.claimRead(line.memberId, line.id, READ_CLAIM_MS))) return null;
    try {
      return await refresh(line);
    } finally {
      await deps.store.releaseRead(line.memberId, line.id);
    }
  }

  /** The line's templates; null when its provider cannot list them (no account id, no such API). */
  async function list(line: Line, options: { refresh?: boolean } = {}): Promise<CachedTemplates | null> {
    if (options.refresh) return refresh(line);
    // A list cached for a line that cannot list is another account's (one cached before lists said
    // their account, by an older release, for the number or WABA id the line had then).
    if (!deps.providerFor(line).listTemplates) return null;
    const stored = await deps.store.get(line.memberId, line.id);
    // A list read from the account the line stood for before (a read that ended after a re-add) is
    // not its; one that does not say its account (an older release's) is read again before it serves.
    const account = lineAccount(line);
    const cached = stored && (stored.account ?? account) === account ? stored : null;
    if (cached?.account !== undefined && deps.clock.now() - cached.at < FRESH_MS) return cached;
    try {
      return (await refreshIfDue(line, cached)) ?? cached;
    } catch (error) {
      // The account's list cannot be read now: an older list still beats none (a send is not held up).
      if (!cached) throw error;
      deps.log.warn(
        { memberId: line.memberId, line: line.id, err: error },
        'templates not read again: the cached list is used',
      );
      return cached;
    }
  }

  return {
    list,
    /**
     * The template a send names, by name and language: `unknown` when the line cannot list its
     * templates (the provider then decides), null when it has none such — after a fresh read when
     * the list is a minute old or more, since a template approved meanwhile may be missing from it.
     */
    async find(line: Line, name: string, language: string): Promise<MessageTemplate | null | 'unknown'> {
      const match = (c: CachedTemplates) => c.templates.find((t) => t.name === name && t.language === language);
      const cached = await list(line);
      if (!cached) return 'unknown';
      const found = match(cached);
      // A misnamed template in a busy robot must not read the account on every call: once a minute at most.
      if (found || deps.clock.now() - cached.at < MISSING_REREAD_MS) return found ?? null;
      try {
        const fresh = await refreshIfDue(line, cached);
        return (fresh && match(fresh)) ?? null;
      } catch (error) {
        // The list cannot be read now: the template is not in the one there is (template_not_found says so).
        deps.log.warn({ memberId: line.memberId, line: line.id, err: error }, 'templates not read again');
        return null;
      }
    },
    /** Forgets the line's cached list: the line now stands for another account (lines/line-admin.ts), or is gone. */
    forget: (memberId: string, lineId: string) => deps.store.drop(memberId, lineId),
    /** A template webhook for an account: its lines read their templates again. */
    async onAccountChanged(wabaId: string): Promise<number> {
      const lines = await deps.lines.findByWabaId(wabaId);
      for (const line of lines) await refresh(line);
      deps.log.info({ wabaId, lines: lines.length }, 'templates read again after a template webhook');
      return lines.length;
    },
  };
}

/** A line's templates as the workers, the CLI and the actions see them. */
export type LineTemplates = ReturnType<typeof createLineTemplates>;
