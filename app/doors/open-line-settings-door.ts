import { Router } from 'express';
import { z } from 'zod';
import { fetchProfile, type ProfileUser } from '../../bitrix/user-profile';
import { endpoints } from '../../config/endpoints';
import type { AddressPolicy } from '../../lib/address-policy';
import { AppError } from '../../lib/errors/app-error';
import { type Lang, langOf, t } from '../../lib/i18n/catalogue';
import { type AttachLineDeps, attachLine } from '../../openlines/attach-line';
import type { LineStore } from '../../store/line-store';
import type { OpenLineStore } from '../../store/open-line-store';
import type { PortalStore } from '../../store/portal-store';

export interface OpenLineSettingsDeps {
  portals: Pick<PortalStore, 'get'>;
  lines: Pick<LineStore, 'list'>;
  openLines: Pick<OpenLineStore, 'forOpenLine'>;
  openLineSetup: AttachLineDeps;
  /** The address policy, whose pool `profile` connects through (it applies the policy when connecting). */
  addresses: Pick<AddressPolicy, 'dispatcher'>;
}

/** The SETTING_CONNECTOR POST (openlines-wire.md §2.4): form fields, PLACEMENT_OPTIONS a JSON string. */
const placementSchema = z.object({
  AUTH_ID: z.string().min(1),
  member_id: z.string().min(1),
  PLACEMENT_OPTIONS: z.string().transform((raw, ctx) => {
    try {
      const options = z
        .object({ LINE: z.coerce.string().regex(/^[1-9][0-9]*$/) })
        .loose()
        .parse(JSON.parse(raw));
      return options;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'PLACEMENT_OPTIONS must be JSON naming the LINE' });
      return z.NEVER;
    }
  }),
  LANG: z.string().optional(),
  attach: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional(),
});

/**
 * The placement's user as the portal confirms it (`profile` at the stored address, shared with the
 * settings page: bitrix/user-profile.ts); null when the portal refuses the token.
 */
async function confirmedUser(
  addresses: Pick<AddressPolicy, 'dispatcher'>,
  clientEndpoint: string,
  authId: string,
): Promise<ProfileUser | null> {
  try {
    return await fetchProfile(clientEndpoint, authId, addresses.dispatcher);
  } catch (error) {
    if (error instanceof AppError && error.code === 'page_auth_refused') return null;
    throw error;
  }
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function page(lang: Lang, body: string): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(t(lang, 'openlines.settings.title'))}</title></head><body><h1>${escapeHtml(t(lang, 'openlines.settings.title'))}</h1>${body}</body></html>`;
}

/**
 * The connector's settings placement, opened from the Contact Center tile: shows which WhatsApp
 * line serves this open line and lets a portal administrator attach one. The posted AUTH_ID is
 * checked with `profile` at the portal's stored address before anything is shown or changed.
 */
export function createOpenLineSettingsDoor(deps: OpenLineSettingsDeps): Router {
  const router = Router();
  router.post(endpoints.openLineSettings, async (req, res) => {
    // Express types the query as ParsedQs; zod below checks every field, the cast only lets it spread.
    const fields = placementSchema.safeParse({ ...(req.query as Record<string, unknown>), ...(req.body ?? {}) });
    if (!fields.success)
      throw new AppError('bad_placement', 'AUTH_ID, member_id and PLACEMENT_OPTIONS are required', {
        kind: 'bad_input',
      });
    const { AUTH_ID, member_id: memberId, PLACEMENT_OPTIONS, attach } = fields.data;
    const lang = langOf(fields.data.LANG);
    const portal = await deps.portals.get(memberId);
    const user = portal ? await confirmedUser(deps.addresses, portal.clientEndpoint, AUTH_ID) : null;
    if (!portal || !user) {
      res
        .status(403)
        .type('html')
        .send(page(lang, `<p>${escapeHtml(t(lang, 'openlines.settings.notVerified'))}</p>`));
      return;
    }
    const openLine = PLACEMENT_OPTIONS.LINE;
    const notes: string[] = [];
    if (attach) {
      if (!user.admin) {
        res
          .status(403)
          .type('html')
          .send(page(lang, `<p>${escapeHtml(t(lang, 'openlines.settings.adminOnly'))}</p>`));
        return;
      }
      await attachLine(deps.openLineSetup, memberId, attach, openLine);
      notes.push(t(lang, 'openlines.settings.done'));
    }
    const lines = await deps.lines.list(memberId);
    const current = await deps.openLines.forOpenLine(memberId, openLine);
    const currentName = lines.find((l) => l.id === current?.lineId)?.name ?? current?.lineId;
    const state = currentName
      ? t(lang, 'openlines.settings.attached', { openLine, line: currentName })
      : t(lang, 'openlines.settings.notAttached', { openLine });
    const parts = [...notes.map((n) => `<p>${escapeHtml(n)}</p>`), `<p>${escapeHtml(state)}</p>`];
    if (!lines.length) parts.push(`<p>${escapeHtml(t(lang, 'openlines.settings.noLines'))}</p>`);
    else if (!user.admin) parts.push(`<p>${escapeHtml(t(lang, 'openlines.settings.adminOnly'))}</p>`);
    else {
      const hidden = { AUTH_ID, member_id: memberId, PLACEMENT_OPTIONS: JSON.stringify(PLACEMENT_OPTIONS), LANG: lang };
      const inputs = Object.entries(hidden)
        .map(([k, v]) => `<input type="hidden" name="${k}" value="${escapeHtml(v)}">`)
        .join('');
      const options = lines
        .map(
          (l) =>
            `<option value="${escapeHtml(l.id)}"${l.id === current?.lineId ? ' selected' : ''}>${escapeHtml(l.name)}</option>`,
        )
        .join('');
      parts.push(
        `<form method="post">${inputs}<label>${escapeHtml(t(lang, 'openlines.settings.choose'))} <select name="attach">${options}</select></label> <button type="submit">${escapeHtml(t(lang, 'openlines.settings.attach'))}</button></form>`,
      );
    }
    res
      .status(200)
      .type('html')
      .send(page(lang, parts.join('')));
  });
  return router;
}
