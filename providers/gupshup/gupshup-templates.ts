import { z } from 'zod';
import type { MessageTemplate } from '../message-template';
import { templateVariables } from '../message-template';

/** GupShup's template list answer (waba-wire.md §5.7): `containerMeta` is a JSON string of the definition. */
export const gupshupTemplateListSchema = z
  .object({
    status: z.literal('success'),
    templates: z.array(
      z
        .object({
          id: z.string(),
          elementName: z.string(),
          languageCode: z.string(),
          status: z.string(),
          category: z.string().default(''),
          /** TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION: the header's kind (TEXT: a text header or none). */
          templateType: z.string().default('TEXT'),
          /** The body text with its `{{n}}` variables. */
          data: z.string().default(''),
          containerMeta: z.string().optional(),
        })
        .loose(),
    ),
  })
  .loose();
type GupshupListed = z.infer<typeof gupshupTemplateListSchema>['templates'][number];

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
  if (!raw) return { buttons: [] };
  try {
    const parsed = containerMetaSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : { buttons: [] };
  } catch {
    return { buttons: [] };
  }
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
