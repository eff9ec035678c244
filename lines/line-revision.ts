import type { SecretBox } from '../lib/secret-box';
import { type Line, lineSchema } from '../store/line-store';

/** Sets the revision's MAC input apart from every other fingerprint the box makes (the application token's). */
const PURPOSE = 'line-revision v1\n';

/**
 * A line's revision: a MAC (SecretBox.fingerprint, keyed by a key derived from SECRETS_KEY, so the
 * same in every process of one deployment) of the line as stored but for its secrets. It covers
 * fields the page never shows (apiUrl may carry credentials, cli/lines-command.ts), so it is keyed:
 * the page cannot test a guess of them against it. The settings page's edit dialog sends back the
 * revision of the line it showed, so a save is written only over that line (lineAdmin.change): a
 * re-add, a rename or a removal and add made after the page read it is not overwritten with the
 * dialog's name and rate. A change of the secrets alone keeps it: the save writes the line as read
 * at the save, secrets and all, and only while it is still that (LineStore.add ifStillAs).
 */
export function lineRevision(line: Line, box: Pick<SecretBox, 'fingerprint'>): string {
  const { accessToken: _token, webhookToken: _webhookToken, ...shown } = lineSchema.parse(line);
  return box.fingerprint(PURPOSE + JSON.stringify(shown)).slice(0, 16);
}
