import type { Job } from 'bullmq';
import type { Logger } from '../lib/logger';
import type { LineHealthService } from '../lines/line-health';
import { requeueUnsettledChecks, type UnsettledChecksDeps } from '../openlines/unsettled-checks';
import { type MaintenanceJob, maintenanceJobSchema } from '../queues/job-schemas';
import type { PortalStore } from '../store/portal-store';
import type { WaitService } from '../waits/wait-service';
import type { CallbackDispatcher } from './callback-dispatcher';
import type { OpenLineDispatcher } from './open-line-dispatcher';

export interface MaintenanceDeps {
  portals: Pick<PortalStore, 'list'>;
  waits: Pick<WaitService, 'sweepOverdue' | 'reindexDeadlines'>;
  callbacks: Pick<CallbackDispatcher, 'reindexPortals'>;
  /** The open-line outbox's portal index (same reason as the callbacks'). */
  openLineChats?: Pick<OpenLineDispatcher, 'reindexPortals'>;
  log: Logger;
  /** Switch-off checks lost (an attachment's number ahead of the last settled, none pending) are queued again. */
  switchOffChecks: UnsettledChecksDeps;
  /** Cloud API lines' health, read again when an hour old. */
  lineHealth?: Pick<LineHealthService, 'refreshDue'>;
  /** An overdue wait is swept this long after its deadline (the drain retries a failing portal until then). */
  overdueGraceMs?: number;
}

/**
 * The cluster-wide sweeps, run by one repeatable job (one run per period whatever the number of
 * worker processes): waits whose time-out failed for good are ended — no open wait lives forever —
 * lost open-line switch-off checks are queued again, and portals with queued callbacks or open waits
 * are put back in the dispatch and deadline indexes (a crash between queuing and indexing loses nothing).
 */
export function createMaintenanceProcessor(deps: MaintenanceDeps) {
  const graceMs = deps.overdueGraceMs ?? 60 * 60_000;
  return async function processMaintenance(job: Job<MaintenanceJob>): Promise<string> {
    maintenanceJobSchema.parse(job.data);
    const members = await deps.portals.list();
    let ended = 0;
    let failed = 0;
    let checks = 0;
    for (const memberId of members) {
      // One portal's trouble must not stop the sweep of the others (nor the callback index below).
      try {
        ended += await deps.waits.sweepOverdue(memberId, graceMs);
      } catch (error) {
        failed += 1;
        deps.log.error({ memberId, err: error }, 'overdue-wait sweep failed for a portal; next run again');
      }
      try {
        checks += await requeueUnsettledChecks(deps.switchOffChecks, memberId);
      } catch (error) {
        failed += 1;
        deps.log.error({ memberId, err: error }, 'lost switch-off checks sweep failed for a portal; next run again');
      }
    }
    await deps.callbacks.reindexPortals(members);
    await deps.openLineChats?.reindexPortals(members);
    await deps.waits.reindexDeadlines(members);
    // Last: Graph reads may be slow, and one failing line only logs (refreshDue never throws for a line).
    const healthReads = deps.lineHealth ? await deps.lineHealth.refreshDue(members) : 0;
    if (ended) deps.log.info({ ended }, 'overdue waits ended by the sweep');
    const extra = `${failed ? `, failed ${failed}` : ''}${checks ? `, checks ${checks}` : ''}`;
    return `portals ${members.length}, overdue ${ended}${extra}${healthReads ? `, health ${healthReads}` : ''}`;
  };
}
