import { invalidNamed } from './property-issues';

/** The rows property's name (send_list's `rows`). */
const rowsName = { ru: 'Строки', en: 'Rows' };

/** List limits of the Cloud API (whatsapp-wire.md §4.1): checked before anything is sent. */
export const LIST_LIMITS = { rows: 10, title: 24, description: 72 } as const;

/** Parses `title|description` lines into rows; a title over 24 or a description over 72 characters is refused. */
export function parseListRows(lines: string[]): Array<{ title: string; description?: string }> {
  if (lines.length > LIST_LIMITS.rows) throw invalidNamed(rowsName, 'prop.max_values', { max: LIST_LIMITS.rows });
  return lines.map((line, i) => {
    const bar = line.indexOf('|');
    const title = (bar >= 0 ? line.slice(0, bar) : line).trim();
    const description = bar >= 0 ? line.slice(bar + 1).trim() : '';
    if (!title) throw invalidNamed(rowsName, 'prop.empty_title', {}, i + 1);
    if ([...title].length > LIST_LIMITS.title)
      throw invalidNamed(rowsName, 'prop.title_max', { max: LIST_LIMITS.title }, i + 1);
    if ([...description].length > LIST_LIMITS.description)
      throw invalidNamed(rowsName, 'prop.description_max', { max: LIST_LIMITS.description }, i + 1);
    return description ? { title, description } : { title };
  });
}
