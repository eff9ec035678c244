import type { Job } from 'bullmq';
import type { MaintenanceJob } from '../../queues/job-schemas';
import { createLogger } from '../../lib/logger';
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

  it('one run sweeps every portal: overdue waits and the callback index', async () => {
    h = await createHarness({ startWorkers: false });
    const swept: string[] = [];
    const reindexed: string[][] = [];
    const process = createMaintenanceProcessor({
      portals: h.rt.portals,
      waits: {
        sweepOverdue: async (memberId) => {
          swept.push(memberId);
          return 2;
        },
      },
      callbacks: {
        reindexPortals: async (members) => {
          reindexed.push(members);
        },
      },
      log: createLogger('silent'),
    });
    // The processor reads only the job's data.
    const job = { data: { task: 'sweep' } } as Job<MaintenanceJob>;
    expect(await process(job)).toBe('portals 1, overdue 2');
    expect(swept).toEqual([h.memberId]);
    expect(reindexed).toEqual([[h.memberId]]);
  });
});
