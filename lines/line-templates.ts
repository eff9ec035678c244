import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { MessageTemplate } from '../providers/message-template';
import type { WhatsAppProvider } from '../providers/provider';
import type { Line, LineStore } from '../store/line-store';
import type { CachedTemplates, TemplateStore } from '../store/template-store';

/** A cached list older than this is read again before a send relies on it. */
const FRESH_MS = 3_600_000;
/** A name missing from a list at least this old makes the line read the list again (just approved?). */
const MISSING_REREAD_MS = 60_000;

export interface LineTemplatesDeps {
  store: TemplateStore;
  lines: Pick<LineStore, 'findByWabaId'>;
  providerFor: (line: Line) => WhatsAppProvider;
  clock: Clock;
  log: Logger;
}

/** A line's templates: from the cache, or read from the provider (every page) and cached. */
export function createLineTemplates(deps: LineTemplatesDeps) {
  async function refresh(line: Line): Promise<CachedTemplates | null> {
    const provider = deps.providerFor(line);
    if (!provider.listTemplates) return null;
    const templates = await provider.listTemplates();
    const at = deps.clock.now();
    await deps.store.put(line.memberId, line.id, templates, at);
    return { at, templates };
  }

  /** The line's templates; null when its provider cannot list them (no account id, no such API). */
  async function list(line: Line, options: { refresh?: boolean } = {}): Promise<CachedTemplates | null> {
    if (options.refresh) return refresh(line);
    const cached = await deps.store.get(line.memberId, line.id);
    if (cached && deps.clock.now() - cached.at < FRESH_MS) return cached;
    try {
      return await refresh(line);
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
      const fresh = await refresh(line);
      return (fresh && match(fresh)) ?? null;
    },
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
