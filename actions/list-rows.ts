import { ActionError } from '../lib/errors/app-error';

/** List limits of the Cloud API (whatsapp-wire.md §4.1): checked before anything is sent. */
export const LIST_LIMITS = { rows: 10, title: 24, description: 72 } as const;

/** Parses `title|description` lines into rows; a title over 24 or a description over 72 characters is refused. */
export function parseListRows(lines: string[]): Array<{ title: string; description?: string }> {
  if (lines.length > LIST_LIMITS.rows)
    throw new ActionError('invalid_property', `rows: at most ${LIST_LIMITS.rows} values`);
  return lines.map((line, i) => {
    const bar = line.indexOf('|');
    const title = (bar >= 0 ? line.slice(0, bar) : line).trim();
    const description = bar >= 0 ? line.slice(bar + 1).trim() : '';
    if (!title) throw new ActionError('invalid_property', `rows: line ${i + 1}: empty title`);
    if ([...title].length > LIST_LIMITS.title)
      throw new ActionError('invalid_property', `rows: line ${i + 1}: title at most ${LIST_LIMITS.title} characters`);
    if ([...description].length > LIST_LIMITS.description)
      throw new ActionError(
        'invalid_property',
        `rows: line ${i + 1}: description at most ${LIST_LIMITS.description} characters`,
      );
    return description ? { title, description } : { title };
  });
}
