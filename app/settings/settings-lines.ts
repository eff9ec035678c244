import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { endpoints, greenApiWebhookPath } from '../../config/endpoints';
import type { LineAdmin, LineDraft } from '../../lines/line-admin';
import { requireAdmin } from '../../portals/page-session';
import type { LineStatus } from '../../providers/provider';
import type { Line, LineStore } from '../../store/line-store';
import type { OpenLineStore } from '../../store/open-line-store';
import { checkGreenApiUrl, type GreenApiUrlDeps } from './green-api-url';
import { sessionOf } from './page-session-auth';
import { parseInput } from './settings-errors';

export interface SettingsLinesDeps {
  lineAdmin: Pick<LineAdmin, 'test' | 'connect' | 'status' | 'change' | 'revision' | 'disconnect' | 'list'>;
  lines: Pick<LineStore, 'lastWebhookAt'>;
  /** Which open line a WhatsApp line serves (the open-line connector). */
  openLines: Pick<OpenLineStore, 'forLine'>;
  publicUrl: string;
  addresses: GreenApiUrlDeps['addresses'];
  config: { LINE_RATE_PER_SEC: number } & GreenApiUrlDeps['config'];
}

const digits = (what: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,40}$/, `${what}: digits only`);
const optionalText = z
  .string()
  .trim()
  .max(100)
  .optional()
  .transform((v) => v || undefined);
const rate = z.number().int().min(1).max(1000);

/** What the page's connect form sends, one shape per provider. */
export const lineFormSchema = z.discriminatedUnion('provider', [
  z.object({
    provider: z.literal('cloud'),
    phoneNumberId: digits('phone number id'),
    accessToken: z.string().trim().min(1).max(1024),
    wabaId: z
      .union([digits('WhatsApp Business Account id'), z.literal('')])
      .optional()
      .transform((v) => v || undefined),
    name: optionalText,
    ratePerSec: rate.optional(),
  }),
  z.object({
    provider: z.literal('green-api'),
    idInstance: digits('idInstance'),
    apiToken: z.string().trim().min(1).max(1024),
    apiUrl: z
      .union([z.url({ protocol: /^https?$/ }), z.literal('')])
      .optional()
      .transform((v) => v || undefined),
    name: optionalText,
    ratePerSec: rate.optional(),
  }),
]);

export const lineChangeSchema = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    ratePerSec: rate.nullable().optional(),
    /** The revision of the line the edit dialog showed (lineView): written only over that line (lineAdmin.change). */
    ifRevision: z.string().min(1).max(64).optional(),
  })
  .refine((c) => c.name !== undefined || c.ratePerSec !== undefined, 'name or ratePerSec is required');

/** The form's line, its Green-API host checked (finding: the page must not make the app call any address). */
async function draftOf(deps: SettingsLinesDeps, form: z.infer<typeof lineFormSchema>): Promise<LineDraft> {
  if (form.provider === 'cloud') return { ...form };
  if (form.apiUrl !== undefined) await checkGreenApiUrl(deps, form.apiUrl);
  return {
    provider: 'green-api',
    phoneNumberId: form.idInstance,
    accessToken: form.apiToken,
    apiUrl: form.apiUrl,
    name: form.name,
    ratePerSec: form.ratePerSec,
  };
}

/** A line as the page shows it: never its tokens. */
export async function lineView(deps: SettingsLinesDeps, line: Line) {
  const lastWebhookAt = await deps.lines.lastWebhookAt(line.memberId, line.id);
  const openLine = await deps.openLines.forLine(line.memberId, line.id);
  return {
    id: line.id,
    name: line.name,
    provider: line.provider,
    phoneNumberId: line.phoneNumberId,
    wabaId: line.wabaId ?? null,
    ratePerSec: line.ratePerSec ?? null,
    /** Sent back by the edit dialog: its save is written only over the line it showed. */
    revision: deps.lineAdmin.revision(line),
    defaultRatePerSec: deps.config.LINE_RATE_PER_SEC,
    lastWebhookAt: lastWebhookAt ?? null,
    openLineId: openLine?.openLineId ?? null,
    webhookUrl:
      line.provider === 'green-api'
        ? `${deps.publicUrl}${greenApiWebhookPath(line.id)}`
        : `${deps.publicUrl}${endpoints.whatsappWebhook}`,
  };
}

const statusView = (status: LineStatus) => ({ ...status });
const lineIdOf = (req: Request) => parseInput(z.string().min(1).max(64), req.params.id);

/** The page's line routes: list, test, connect, status, rename/rate, disconnect (changes: admins only). */
export function createSettingsLinesRouter(deps: SettingsLinesDeps): Router {
  const router = Router();
  router.get('/lines', async (_req, res: Response) => {
    const { memberId } = sessionOf(res);
    const lines = await deps.lineAdmin.list(memberId);
    res.json({ lines: await Promise.all(lines.map((line) => lineView(deps, line))) });
  });
  router.post('/lines/test', async (req, res) => {
    const session = sessionOf(res);
    requireAdmin(session);
    const draft = await draftOf(deps, parseInput(lineFormSchema, req.body));
    res.json({ status: statusView(await deps.lineAdmin.test(session.memberId, draft)) });
  });
  router.post('/lines', async (req, res) => {
    const session = sessionOf(res);
    requireAdmin(session);
    const draft = await draftOf(deps, parseInput(lineFormSchema, req.body));
    const { line, status } = await deps.lineAdmin.connect(session.memberId, draft);
    res.status(201).json({ line: await lineView(deps, line), status: statusView(status) });
  });
  router.get('/lines/:id/status', async (req, res) => {
    const { memberId } = sessionOf(res);
    res.json({ status: statusView(await deps.lineAdmin.status(memberId, lineIdOf(req))) });
  });
  router.patch('/lines/:id', async (req, res) => {
    const session = sessionOf(res);
    requireAdmin(session);
    const { ifRevision, ...to } = parseInput(lineChangeSchema, req.body);
    const line = await deps.lineAdmin.change(session.memberId, lineIdOf(req), to, ifRevision);
    res.json({ line: await lineView(deps, line) });
  });
  router.delete('/lines/:id', async (req, res) => {
    const session = sessionOf(res);
    requireAdmin(session);
    res.json({ removed: await deps.lineAdmin.disconnect(session.memberId, lineIdOf(req)) });
  });
  return router;
}
