import { createLineAdmin, type LineAdminDeps } from '../lines/line-admin';
import type { LineHealthService } from '../lines/line-health';
import type { LineTemplates } from '../lines/line-templates';
import { type AttachLineDeps, detachLine } from '../openlines/attach-line';
import type { Queues } from '../queues/create-queues';

/** The runtime's line admin (CLI, settings page, webhook API): its hooks into the rest of the runtime. */
export function createRuntimeLineAdmin(
  deps: Pick<LineAdminDeps, 'portals' | 'lines' | 'providerFor' | 'clock' | 'publicUrl' | 'log' | 'box'> & {
    openLineSetup: AttachLineDeps;
    queues: Pick<Queues, 'enqueueLinesChanged'>;
    templates: Pick<LineTemplates, 'forget'>;
    lineHealth: Pick<LineHealthService, 'forget'>;
  },
) {
  const { openLineSetup, queues, templates, lineHealth, ...admin } = deps;
  return createLineAdmin({
    ...admin,
    detachOpenLine: (memberId, lineId) => detachLine(openLineSetup, memberId, lineId),
    // The portal-setup job re-registers the robots and activities: every `line` select lists the lines now.
    onLinesChanged: async (memberId) => void (await queues.enqueueLinesChanged(memberId, deps.clock.now())),
    // What a line re-added for another account must not keep (lines/line-account.ts).
    forgetAccount: async (memberId, lineId, what) => {
      await templates.forget(memberId, lineId);
      if (what.health) await lineHealth.forget(memberId, lineId);
    },
  });
}
