import { ActionError } from '../lib/errors/app-error';
import type { Line, LineStore } from '../store/line-store';

/** Picks the line named by the property (id, name or number id), else the portal's first line. */
export async function resolveLine(
  lines: Pick<LineStore, 'list'>,
  memberId: string,
  wanted: string | undefined,
): Promise<Line> {
  const all = await lines.list(memberId);
  const [first] = all;
  if (!first) throw new ActionError('no_line');
  if (!wanted) return first;
  const found = all.find((l) => l.id === wanted || l.name === wanted || l.phoneNumberId === wanted);
  if (!found) throw new ActionError('unknown_line', `"${wanted}"; connected: ${all.map((l) => l.id).join(', ')}`);
  return found;
}
