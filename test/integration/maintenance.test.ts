import type { Job } from 'bullmq';
import { createLogger } from '../../lib/logger';
import type { MaintenanceJob } from '../../queues/job-schemas';
import { createMaintenanceProcessor } from '../../workers/maintenance-processor';
import { createHarness, type Harness } from '../helpers/harness';

describe('cluster-wide maintenance', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('two worker processes share one sweep schedule', async () => {
    h = await createHarness({ workerInstances: 2 });
    const schedulers = await h.rt.queues.maintenance.getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toEqual(['sweep']);
    expect(schedulers[0]?.every).toBe(60_000);
  });

  it('one run sweeps every portal: overdue waits, the callback and the deadline indexes', async () => {
    h = await createHarness({ startWorkers: false });
    const swept: string[] = [];
    const reindexed: string[][] = [];
    const deadlinesReindexed: string[][] = [];
    const process = createMaintenanceProcessor({
      // A broken portal first: its failure must not stop the others' sweep, nor the reindex.
      portals: { list: async () => ['broken', h.memberId] },
      waits: {
        sweepOverdue: async (memberId) => {
          swept.push(memberId);
          if (memberId === 'broken') throw new Error('a wait that no longer parses');
          return 2;
        },
        reindexDeadlines: async (members) => {
          deadlinesReindexed.push(members);
        },
      },
      callbacks: {
        reindexPortals: async (members) => {
          reindexed.push(members);
        },
      },
      // The broken portal has no record: its switch-off checks are not swept.
      switchOffChecks: h.rt,
      log: createLogger('silent'),
    });
    // The processor reads only the job's data.
    const job = { data: { task: 'sweep' } } as Job<MaintenanceJob>;
    expect(await process(job)).toBe('portals 2, overdue 2, failed 1');
    expect(swept).toEqual(['broken', h.memberId]);
    expect(reindexed).toEqual([['broken', h.memberId]]);
    expect(deadlinesReindexed).toEqual([['broken', h.memberId]]);
  });
});
