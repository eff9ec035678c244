import { ActionError } from '../lib/errors/app-error';
import { say } from '../lib/i18n/catalogue';
import type { Line, LineStore } from '../store/line-store';

/**
 * Picks the line named by the property (the select's key is the line id; a name or number id typed
 * in an older robot still works), else the portal's first line. A robot saved before its line was
 * removed keeps the old key: refused with the lines connected now.
 */
export async function resolveLine(
  lines: Pick<LineStore, 'list'>,
  memberId: string,
  wanted: string | undefined,
  /** The portal's config version read for this job (LineStore.list). */
  configVersion?: string | null,
): Promise<Line> {
  const all = await lines.list(memberId, configVersion);
  const [first] = all;
  if (!first) throw new ActionError('no_line');
  if (!wanted) return first;
  const found = all.find((l) => l.id === wanted || l.name === wanted || l.phoneNumberId === wanted);
  if (!found) {
    const ids = all.map((l) => (l.name && l.name !== l.id ? `${l.name} (${l.id})` : l.id)).join(', ');
    throw new ActionError('unknown_line', `"${wanted}"; connected: ${ids}`, {
      says: say('error.detail.line_removed', { wanted, ids }),
    });
  }
  return found;
}
