import { robotCallSchema, runActionJobOf } from '../app/doors/robot-door';
import type { BenchSystem } from './system';
import { inLanes } from './windows';

/**
 * Starts `properties.length` runs at the portal and queues their run-action jobs the way the door
 * does (its enqueue function, its job), without the HTTP: a backlog filled faster than the door
 * takes calls, so what is measured is the workers. Returns the event tokens.
 */
export async function queueRobotRuns(
  sys: BenchSystem,
  code: string,
  properties: Array<Record<string, string | string[]>>,
): Promise<string[]> {
  const tokens: string[] = [];
  for (let start = 0; start < properties.length; start += 2000) {
    const { runs } = await sys.sim.call({
      cmd: 'prepareRuns',
      code,
      properties: properties.slice(start, start + 2000),
    });
    const jobs = runs.map((fields) => runActionJobOf(sys.memberId, robotCallSchema.parse(fields), Date.now()));
    await inLanes(jobs, 200, async (job) => {
      await sys.rt.queues.enqueueRunAction(job);
    });
    tokens.push(...jobs.map((j) => j.eventToken));
  }
  return tokens;
}

/** Only the event tokens of prepared runs (for callbacks and waits the bench queues itself). */
export async function startRuns(
  sys: BenchSystem,
  count: number,
): Promise<Array<{ eventToken: string; workflowId: string; documentId: string[] }>> {
  const out: Array<{ eventToken: string; workflowId: string; documentId: string[] }> = [];
  for (let start = 0; start < count; start += 2000) {
    const properties = Array.from({ length: Math.min(2000, count - start) }, () => ({ text: 'bench' }));
    const { runs } = await sys.sim.call({ cmd: 'prepareRuns', code: 'wa_send_buttons', properties });
    for (const fields of runs) {
      const call = robotCallSchema.parse(fields);
      out.push({ eventToken: call.event_token, workflowId: call.workflow_id, documentId: call.document_id });
    }
  }
  return out;
}
