import { digest } from '../lib/hash';
import { type Line, lineSchema } from '../store/line-store';

/**
 * A line's revision: a digest of the line as stored, but for its secrets (never shown, nor derived
 * from on the page). The settings page's edit dialog sends back the revision of the line it showed,
 * so a save is written only over that line (lineAdmin.change): a re-add, a rename or a removal and
 * add made after the page read it is not overwritten with the dialog's name and rate. A change of
 * the secrets alone keeps it: the save writes the line as read at the save, secrets and all, and
 * only while it is still that (LineStore.add ifStillAs).
 */
export function lineRevision(line: Line): string {
  const { accessToken: _token, webhookToken: _webhookToken, ...shown } = lineSchema.parse(line);
  return digest(JSON.stringify(shown)).slice(0, 16);
}
