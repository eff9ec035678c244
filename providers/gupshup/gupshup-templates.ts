import { z } from 'zod';
import { parseStoredJson } from '../../lib/stored-json';
import type { MessageTemplate } from '../message-template';
import { templateVariables } from '../message-template';

/** A text field GupShup may leave out or write as null (its back-end does): '' then. */
const text = (fallback = '') => z.preprocess((v) => (v === null || v === undefined ? fallback : v), z.string());

/** One template as the list shows it (waba-wire.md §5.7): `containerMeta` is a JSON string of the definition. */
export const gupshupListedSchema = z
  .object({
    id: z.string().min(1),
    elementName: z.string().min(1),
    languageCode: z.string().min(1),
    status: z.string(),
    category: text(),
    /** TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION: the header's kind (TEXT: a text header or none). */
    templateType: text('TEXT'),
    /** The body text with its `{{n}}` variables. */
    data: text(),
    containerMeta: text(),
  })
  .loose();
type GupshupListed = z.infer<typeof gupshupListedSchema>;

/** GupShup's template list answer: the items are read one by one (see readGupshupTemplates). */
export const gupshupTemplateListSchema = z
  .object({ status: z.literal('success'), templates: z.array(z.unknown()) })
  .loose();

/**
 * The templates of a list answer that can be read; one GupShup cannot describe properly (a legacy
 * or carousel template with odd fields) is left out and reported, so the others still send.
 */
export function readGupshupTemplates(
  items: unknown[],
  skipped: (item: { id?: unknown; elementName?: unknown }, problem: string) => void,
): GupshupListed[] {
  return items.flatMap((item) => {
    const parsed = gupshupListedSchema.safeParse(item);
    if (parsed.success) return [parsed.data];
    const named = typeof item === 'object' && item !== null ? (item as { id?: unknown; elementName?: unknown }) : {};
    skipped({ id: named.id, elementName: named.elementName }, parsed.error.message);
    return [];
  });
}

const containerMetaSchema = z
  .object({
    header: z.string().optional(),
    data: z.string().optional(),
    buttons: z
      .array(z.object({ type: z.string(), text: z.string().default(''), url: z.string().optional() }).loose())
      .default([]),
  })
  .loose();

/** The definition GupShup keeps with a template (header, body, buttons); an unreadable one counts as empty. */
function containerMetaOf(raw: string | undefined): z.infer<typeof containerMetaSchema> {
  return (raw ? parseStoredJson(containerMetaSchema, raw) : null) ?? { buttons: [] };
}

/**
 * A GupShup template → ours. `id` is GupShup's (the UUID a send names, §5.2); GupShup's `params`
 * are positional, so the template is too. Statuses come lowercase or uppercase: kept uppercase.
 */
export function fromGupshupTemplate(t: GupshupListed): MessageTemplate {
  const meta = containerMetaOf(t.containerMeta);
  const type = t.templateType.toUpperCase();
  const headerFormat = type === 'TEXT' ? (meta.header ? 'TEXT' : 'NONE') : type;
  const buttons = meta.buttons.map((b) => {
    const kind = b.type.toUpperCase();
    // A copy-code button's coupon (and an OTP's code) is a positional param after the body, as a URL
    // suffix is ([?] waba-wire.md §5.2 "body, then button params"; simulators/gupshup counts the same).
    const param = kind === 'COPY_CODE' || kind === 'OTP' || (kind === 'URL' && templateVariables(b.url).length > 0);
    return { kind, text: b.text, param };
  });
  return {
    id: t.id,
    name: t.elementName,
    language: t.languageCode,
    status: t.status.toUpperCase(),
    category: t.category.toUpperCase(),
    parameterFormat: 'POSITIONAL',
    headerFormat,
    headerParams: headerFormat === 'TEXT' ? templateVariables(meta.header) : [],
    bodyParams: templateVariables(meta.data ?? t.data),
    buttons,
  };
}
