import { type Response, Router } from 'express';
import { z } from 'zod';
import { findActionByCode } from '../../actions';
import { endpoints } from '../../config/endpoints';
import { ActionError, AppError } from '../../lib/errors/app-error';
import type { Logger } from '../../lib/logger';
import { requireAdmin } from '../../portals/page-session';
import { mapCloudApiError } from '../../providers/cloud-api/cloud-api-errors';
import { type Queues, runActionJobId } from '../../queues/create-queues';
import { runActionJobSchema } from '../../queues/job-schemas';
import type { ActivityLog } from '../../store/activity-log';
import type { Line, LineStore } from '../../store/line-store';
import { deliveryStatusSchema, type MessageStore, type StoredMessage } from '../../store/message-store';
import type { WaitService } from '../../waits/wait-service';
import { textOf } from '../api/api-answers';
import { sessionOf } from './page-session-auth';
import { parseInput } from './settings-errors';
import { lineView, type SettingsLinesDeps } from './settings-lines';

export interface SettingsActivityDeps extends SettingsLinesDeps {
  log: Logger;
  lines: Pick<LineStore, 'list' | 'lastWebhookAt'>;
  messages: Pick<MessageStore, 'get'>;
  activity: Pick<ActivityLog, 'recentSends' | 'recentErrors'>;
  waits: Pick<WaitService, 'store' | 'cancel'>;
  queues: Pick<Queues, 'runAction'>;
  whatsapp: { verifyToken: string };
}

const filterSchema = z.object({
  line: z.string().max(64).optional(),
  status: deliveryStatusSchema.optional(),
});

/** A failed message's reason and advice: Graph's code mapped to ours (Green-API: undeliverable). */
function failureOf(message: StoredMessage, line: Line | undefined, lang: 'ru' | 'en') {
  const providerCode = message.errorCode;
  const numeric = providerCode && /^\d+$/.test(providerCode) ? Number(providerCode) : undefined;
  const mapped =
    line?.provider === 'cloud' && numeric !== undefined
      ? mapCloudApiError(numeric, '')
      : new ActionError('undeliverable');
  return { code: mapped.code, message: textOf(mapped.code, lang, mapped.message), providerCode: providerCode ?? null };
}

/**
 * The robot's name as the portal shows it, read from the call's run-action job (kept a day after
 * it completed; a wait keeps no copy, each byte of it counts): null once the job is gone.
 */
async function robotOf(deps: SettingsActivityDeps, eventToken: string, lang: 'ru' | 'en'): Promise<string | null> {
  const job = await deps.queues.runAction.getJob(runActionJobId(eventToken));
  const data = runActionJobSchema.safeParse(job?.data);
  if (!data.success) return null;
  return findActionByCode(data.data.code)?.action.title[lang] ?? null;
}

/** The page's overview (user, lines, webhook facts) and activity (messages, waits, errors, cancel). */
export function createSettingsActivityRouter(deps: SettingsActivityDeps): Router {
  const router = Router();
  router.get('/overview', async (_req, res: Response) => {
    const session = sessionOf(res);
    const lines = await deps.lines.list(session.memberId);
    res.json({
      user: { name: session.name, admin: session.admin },
      lines: await Promise.all(lines.map((line) => lineView(deps, line))),
      webhook: {
        callbackUrl: `${deps.publicUrl}${endpoints.whatsappWebhook}`,
        // The verify token only proves the webhook to Meta, yet it is the app's: admins only.
        verifyToken: session.admin ? deps.whatsapp.verifyToken : null,
      },
    });
  });
  router.get('/activity', async (req, res) => {
    const session = sessionOf(res);
    const { memberId, lang } = session;
    const filter = parseInput(filterSchema, req.query);
    const lines = new Map((await deps.lines.list(memberId)).map((line) => [line.id, line]));
    const sends = (await deps.activity.recentSends(memberId)).filter((s) => !filter.line || s.lineId === filter.line);
    const messages = [];
    for (const sent of sends) {
      const stored = await deps.messages.get(memberId, sent.messageId);
      if (!stored || (filter.status && stored.status !== filter.status)) continue;
      const line = lines.get(sent.lineId);
      messages.push({
        messageId: sent.messageId,
        lineId: sent.lineId,
        lineName: line?.name ?? sent.lineId,
        phone: sent.phone,
        at: sent.at,
        status: stored.status,
        deliveredAt: stored.deliveredAt ?? null,
        readAt: stored.readAt ?? null,
        failedAt: stored.failedAt ?? null,
        failure: stored.status === 'failed' ? failureOf(stored, line, lang) : null,
      });
    }
    const open = (await deps.waits.store.listOpen(memberId, 200)).filter(
      (w) => w.status === 'open' && (!filter.line || w.lineId === filter.line),
    );
    const robots = await Promise.all(open.map((w) => robotOf(deps, w.eventToken, lang)));
    const waits = open.map((w, i) => ({
      id: w.id,
      kind: w.kind,
      purpose: w.purpose,
      robot: robots[i] ?? null,
      lineId: w.lineId,
      lineName: lines.get(w.lineId)?.name ?? w.lineId,
      phone: w.phone,
      documentId: w.documentId,
      createdAt: w.createdAt,
      deadline: w.deadline,
    }));
    const errors = (await deps.activity.recentErrors(memberId, 50))
      // An error before the call's line was known (a bad property, no line) has none: shown under every line.
      .filter((e) => !filter.line || e.lineId === '' || e.lineId === filter.line)
      .map((e) => ({ ...e, message: textOf(e.code, lang, e.code) }));
    res.json({ messages, waits, errors });
  });
  router.post('/waits/:id/cancel', async (req, res) => {
    const session = sessionOf(res);
    requireAdmin(session);
    const waitId = parseInput(z.string().min(1).max(128), req.params.id);
    const wait = await deps.waits.store.get(session.memberId, waitId);
    if (wait?.status !== 'open') throw new AppError('wait_not_found', `no open wait ${waitId}`, { kind: 'not_found' });
    // `settings_page`: the robot log says, in the portal's words, that it was cancelled on the app's page.
    deps.log.info(
      { memberId: session.memberId, waitId, userId: session.userId },
      'wait cancelled from the settings page',
    );
    const cancelled = await deps.waits.cancel(session.memberId, waitId, 'settings_page');
    if (!cancelled) throw new AppError('wait_not_found', `wait ${waitId} ended meanwhile`, { kind: 'not_found' });
    res.json({ cancelled: true });
  });
  return router;
}
