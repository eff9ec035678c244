import type { PortalClient } from '../bitrix/portal-client';
import type { Clock } from '../lib/clock';
import { AppError } from '../lib/errors/app-error';
import type { Logger } from '../lib/logger';
import type { PortalSetupJob } from '../queues/job-schemas';
import type { LineStore } from '../store/line-store';
import type { Attachment, OpenLineStore } from '../store/open-line-store';
import { type PortalStore, portalLanguage } from '../store/portal-store';
import { activateOnOpenLine, deactivateOnOpenLine, registerConnector } from './connector';
import {
  checkJobOf,
  checkUnsettled,
  numberSwitchOffCheck,
  type RecheckAfterActivateDeps,
  recheckAfterActivate,
  recheckAfterAttach,
} from './switch-off-check';

/** What attaching lines to open lines uses. */
export interface AttachLineDeps {
  bitrix: (memberId: string) => Pick<PortalClient, 'call'>;
  portals: Pick<PortalStore, 'get'>;
  lines: Pick<LineStore, 'get'>;
  openLines: Pick<OpenLineStore, 'attach' | 'detach' | 'forLine' | 'forOpenLine' | 'list' | 'nextSwitchOffCheck'>;
  /** Switch-off checks the app's own ACTIVE=1 (a setup, an attach again) may have overtaken are queued again. */
  queues: RecheckAfterActivateDeps['queues'];
  publicUrl: string;
  clock: Clock;
  log: Logger;
}

async function portalOf(deps: AttachLineDeps, memberId: string) {
  const portal = await deps.portals.get(memberId);
  if (!portal) throw new AppError('portal_not_installed', `portal ${memberId} is not installed`, { kind: 'bad_input' });
  return portal;
}

/**
 * Attaches a WhatsApp line to an open line: `imconnector.activate`, then `connector.data.set`, then
 * the attachment is stored. An open line serves one WhatsApp line; a line moved to another open line
 * leaves its old one (switched off there last).
 */
export async function attachLine(
  deps: AttachLineDeps,
  memberId: string,
  lineId: string,
  openLineId: string,
  options: { relayTaken?: boolean } = {},
): Promise<Attachment> {
  const portal = await portalOf(deps, memberId);
  const line = await deps.lines.get(memberId, lineId);
  if (!line) throw new AppError('unknown_line', `no WhatsApp line ${lineId} on this portal`, { kind: 'bad_input' });
  if (!/^[1-9][0-9]*$/.test(openLineId))
    throw new AppError('bad_open_line', `open line id must be a positive number, got "${openLineId}"`, {
      kind: 'bad_input',
    });
  const taken = await deps.openLines.forOpenLine(memberId, openLineId);
  if (taken && taken.lineId !== lineId)
    throw new AppError('open_line_taken', `open line ${openLineId} already serves WhatsApp line ${taken.lineId}`, {
      kind: 'bad_input',
    });
  const client = deps.bitrix(memberId);
  const before = await deps.openLines.forLine(memberId, lineId);
  try {
    await activateOnOpenLine(client, line, openLineId, portalLanguage(portal), deps.publicUrl);
  } catch (error) {
    // Its ACTIVE=1 may have reached the portal: this open line's stored record (one switched off,
    // being switched on again) is checked, so it says what the portal has. A first attach or a move
    // has no record there to check: the connector may be on at that open line with nothing relayed,
    // and the caller, who gets the error, attaches again or detaches.
    if (before?.openLineId === openLineId) await recheckAfterFailedAttach(deps, memberId, openLineId);
    throw error;
  }
  const attachment: Attachment = {
    lineId,
    openLineId,
    relayTaken: options.relayTaken ?? before?.relayTaken ?? false,
    // Attaching (again) switches it on, also after the portal switched it off.
    active: true,
    attachedAt: deps.clock.now(),
  };
  const replaced = await deps.openLines.attach(memberId, attachment);
  deps.log.info({ memberId, lineId, openLineId }, 'WhatsApp line attached to an open line');
  await recheckAfterAttach(deps, memberId, before, replaced, attachment);
  // Switched off on the old open line only once the new attachment is stored: the portal's
  // ONIMCONNECTORSTATUSDELETE for it (also sent for our own ACTIVE=0, openlines-wire.md §5.8) then
  // finds the line elsewhere, and a refusal of an old item reads the new open line (its items follow).
  if (before && before.openLineId !== openLineId) {
    try {
      await deactivateOnOpenLine(client, before.openLineId);
    } catch (error) {
      // The move stands; the old open line keeps the connector until an admin switches it off there.
      deps.log.error(
        { memberId, lineId, openLineId: before.openLineId, err: error },
        'could not switch the connector off on the open line the line left',
      );
    }
  }
  return attachment;
}

async function recheckAfterFailedAttach(deps: AttachLineDeps, memberId: string, openLineId: string): Promise<void> {
  try {
    await numberSwitchOffCheck(deps, memberId, openLineId);
  } catch (error) {
    deps.log.error({ memberId, openLineId, err: error }, 'could not check an attachment after a failed attach');
  }
}

/** Detaches a WhatsApp line from its open line (the connector is switched off there). */
export async function detachLine(deps: AttachLineDeps, memberId: string, lineId: string): Promise<Attachment | null> {
  await portalOf(deps, memberId);
  const attachment = await deps.openLines.forLine(memberId, lineId);
  if (!attachment) return null;
  await deactivateOnOpenLine(deps.bitrix(memberId), attachment.openLineId);
  await deps.openLines.detach(memberId, lineId);
  deps.log.info({ memberId, lineId, openLineId: attachment.openLineId }, 'WhatsApp line detached');
  return attachment;
}

/**
 * What started a setup (PortalSetupJob's reason). `install` and `update` come from ONAPPINSTALL (or
 * the install page): a first install, an app update, or a reinstall whose uninstall event the app
 * never got (the portal record is still there, so it counts as an update) — the core unregistered
 * the connector with its statuses then (openlines-wire.md §1), so every attachment is switched on
 * again. `lines`: a change of the portal's lines; the connector's statuses stand.
 */
export type SetupKind = PortalSetupJob['reason'];

/**
 * On install, every update and every change of lines: registers the connector and applies the
 * stored attachments that are on (ACTIVE=1, channel data, status check).
 */
export async function setUpConnector(deps: AttachLineDeps, memberId: string, kind: SetupKind): Promise<number> {
  const portal = await portalOf(deps, memberId);
  const lang = portalLanguage(portal);
  const client = deps.bitrix(memberId);
  await registerConnector(client, deps.publicUrl, lang);
  let applied = 0;
  for (const attachment of await deps.openLines.list(memberId)) {
    const line = await deps.lines.get(memberId, attachment.lineId);
    // An admin switched it off in Contact Center: a re-install does not switch it back on.
    if (!line || !attachment.active) continue;
    const listed = kind === 'lines' ? await unlessCheckUnsettled(deps, memberId, attachment) : attachment;
    if (!listed) continue;
    const where = { memberId, lineId: line.id, openLineId: listed.openLineId };
    try {
      // Its first call is the ACTIVE=1: from then on the portal may have the connector on.
      await activateOnOpenLine(client, line, listed.openLineId, lang, deps.publicUrl);
      applied += 1;
    } catch (error) {
      // One open line gone or refused must not keep the others (and the rest of the setup) from applying.
      deps.log.error({ ...where, err: error }, 'could not apply an open-line attachment');
    }
    // Also after a failure: the ACTIVE=1 may have reached the portal (a later call failed, its answer was lost).
    try {
      await recheckAfterActivate(deps, memberId, listed);
    } catch (error) {
      // Only an overtaken check's answer may stand (the settings page shows the line off).
      deps.log.error({ ...where, err: error }, 'could not check an attachment again after switching it on');
    }
  }
  return applied;
}

/**
 * A setup for a change of lines leaves an attachment alone while a switch-off check of it waits or
 * runs, or was lost (its number ahead of the last settled: the maintenance sweep queues it again):
 * the admin may have just switched the connector off, and its ACTIVE=1 would switch it back on, the
 * check then reading on. The attachment is read again (a check may have written since the list);
 * null: skip it (logged when a check is unsettled), else the attachment to switch on.
 */
async function unlessCheckUnsettled(
  deps: AttachLineDeps,
  memberId: string,
  listed: Attachment,
): Promise<Attachment | null> {
  const now = await deps.openLines.forLine(memberId, listed.lineId);
  if (!now?.active || now.openLineId !== listed.openLineId) return null;
  const check = checkJobOf(memberId, now);
  if (!checkUnsettled(now) && !(await deps.queues.switchOffCheckPending(check))) return now;
  const { openLineId, lineId, seq } = check;
  deps.log.info(
    { memberId, openLineId, lineId, check: seq, settled: now.settledSeq ?? 0 },
    'a switch-off check of the attachment is pending or lost: the setup leaves the connector to it',
  );
  return null;
}
