import { z } from 'zod';
import type { MessageTemplate } from '../store/template-store';

export type { MessageTemplate } from '../store/template-store';

/** Variables of a template text, in first-use order: `{{1}}` → "1", `{{order_id}}` → "order_id". */
export function templateVariables(text: string | undefined): string[] {
  const names = [...(text ?? '').matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1] ?? '');
  return [...new Set(names)];
}

const graphComponentSchema = z
  .object({
    type: z.string(),
    format: z.string().optional(),
    text: z.string().optional(),
    buttons: z
      .array(z.object({ type: z.string(), text: z.string().default(''), url: z.string().optional() }).loose())
      .optional(),
  })
  .loose();

/** A template node as Graph lists it (`GET /{WABA_ID}/message_templates`, waba-wire.md §1.1). */
export const graphTemplateSchema = z
  .object({
    id: z.coerce.string(),
    name: z.string(),
    language: z.string(),
    status: z.string(),
    category: z.string().default(''),
    parameter_format: z.enum(['POSITIONAL', 'NAMED']).optional(),
    components: z.array(graphComponentSchema).default([]),
  })
  .loose();

/** Graph's template node → ours: the variables and buttons a send must fill. */
export function fromGraphTemplate(node: z.infer<typeof graphTemplateSchema>): MessageTemplate {
  const of = (type: string) => node.components.find((c) => c.type.toUpperCase() === type);
  const header = of('HEADER');
  const headerFormat = header ? (header.format ?? 'TEXT').toUpperCase() : 'NONE';
  const body = of('BODY');
  const buttons = (of('BUTTONS')?.buttons ?? []).map((b) => {
    const kind = b.type.toUpperCase();
    const param = kind === 'COPY_CODE' || kind === 'OTP' || (kind === 'URL' && templateVariables(b.url).length > 0);
    return { kind, text: b.text, param };
  });
  const bodyParams = templateVariables(body?.text);
  const headerParams = headerFormat === 'TEXT' ? templateVariables(header?.text) : [];
  const named = [...bodyParams, ...headerParams].some((v) => !/^\d+$/.test(v));
  return {
    id: node.id,
    name: node.name,
    language: node.language,
    status: node.status.toUpperCase(),
    category: node.category.toUpperCase(),
    parameterFormat: node.parameter_format ?? (named ? 'NAMED' : 'POSITIONAL'),
    headerFormat,
    headerParams,
    bodyParams,
    buttons,
  };
}
