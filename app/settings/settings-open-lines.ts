import { type Request, Router } from 'express';
import { z } from 'zod';
import { type AttachLineDeps, attachLine, detachLine } from '../../openlines/attach-line';
import { requireAdmin } from '../../portals/page-session';
import { sessionOf } from './page-session-auth';
import { parseInput } from './settings-errors';

export interface SettingsOpenLinesDeps {
  /** Attaching WhatsApp lines to Bitrix24 open lines (the connector: openlines/attach-line.ts). */
  openLineSetup: AttachLineDeps;
}

const lineIdOf = (req: Request) => parseInput(z.string().min(1).max(64), req.params.id);
const attachSchema = z.object({
  openLineId: z
    .string()
    .trim()
    .regex(/^[1-9][0-9]{0,9}$/, 'open line id: digits'),
});

/** The page's open-line routes: attach a line to an open line, detach it (admins only). */
export function createSettingsOpenLinesRouter(deps: SettingsOpenLinesDeps): Router {
  const router = Router();
  router.post('/lines/:id/open-line', async (req, res) => {
    const session = sessionOf(res);
    requireAdmin(session);
    const { openLineId } = parseInput(attachSchema, req.body);
    const attachment = await attachLine(deps.openLineSetup, session.memberId, lineIdOf(req), openLineId);
    res.json({ openLineId: attachment.openLineId });
  });
  router.delete('/lines/:id/open-line', async (req, res) => {
    const session = sessionOf(res);
    requireAdmin(session);
    const detached = await detachLine(deps.openLineSetup, session.memberId, lineIdOf(req));
    res.json({ detached: detached !== null });
  });
  return router;
}
