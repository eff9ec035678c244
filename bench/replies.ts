import { randomBytes } from 'node:crypto';
import { digest } from '../lib/hash';
import type { CallInfo } from '../queues/call-info';
import type { Line } from '../store/line-store';
import { encodeButtonId } from '../waits/button-id';
import { defaultReplyOptions } from '../waits/wait-schema';
import { startRuns } from './robot-calls';
import type { BenchSystem } from './system';
import { startBenchSystem } from './system';
import { inLanes } from './windows';

export interface RepliesOptions {
  /** Open waits at each measurement, ascending. */
  points: number[];
  /** Replies sent (and waits ended) at each point. */
  replies: number;
  say: (line: string) => void;
}

const BUTTONS = ['Yes', 'No', 'Later'];
const phoneOf = (n: number) => `7916${String(n).padStart(7, '0')}`;

/**
 * Opens a button wait through the app's own wait-open path (the wait service's `open`: the wait,
 * its index entries and its time-out), as the send-buttons action does before its message leaves.
 */
async function openButtonWait(sys: BenchSystem, line: Line, call: CallInfo, phone: string): Promise<string> {
  const waitId = sys.rt.waits.idFor(call, 'reply');
  const buttons = BUTTONS.map((title, i) => ({ id: encodeButtonId(waitId, i + 1), title }));
  await sys.rt.waits.open({
    line,
    call,
    phone,
    lang: 'en',
    purpose: 'reply',
    timeoutMs: 24 * 3600_000,
    buttons,
    options: { ...defaultReplyOptions },
    stageAtStart: 'NEW',
  });
  return waitId;
}

const callOf = (eventToken: string, workflowId: string, documentId: string[]): CallInfo => ({
  kind: 'robot',
  code: 'wa_send_buttons',
  eventToken,
  workflowId,
  documentId,
  callKey: digest(eventToken),
  timeoutDurationSec: 0,
  receivedAt: Date.now(),
});

/**
 * Replies resolved per second with many button waits open: the open ones are opened through the
 * app's own path, pipelined (500 at a time), on deals that are never read; the ones answered belong
 * to real runs on real deals at the portal, and the customer taps a button of each through a signed
 * Cloud API webhook at the webhook door. Rate: waits ended per second, from the first webhook.
 */
export async function repliesScenario(o: RepliesOptions): Promise<Record<string, number>> {
  const sys = await startBenchSystem({
    workers: 2,
    lines: 1,
    // Each reply reads its deal's stage and sends the robot's result: the portal must not be the limit.
    restLimit: { drainPerSec: 500, burst: 2000 },
    lineRatePerSec: 80,
  });
  try {
    const [benchLine] = sys.lines;
    const line = benchLine ? await sys.rt.lines.get(sys.memberId, benchLine.id) : null;
    if (!benchLine || !line) throw new Error('replies: the bench line is not connected');
    const openKey = sys.rt.keys.openWaits(sys.memberId);
    const rates: Record<string, number> = {};
    const batchTag = randomBytes(4).toString('hex');
    let ballast = 0;
    // The customers who answer: their own numbers, never one of the open waits' numbers.
    let answered = 0;
    for (const point of o.points) {
      const target = point - o.replies;
      const openedAt = Date.now();
      const indexes = Array.from({ length: Math.max(0, target - ballast) }, (_, i) => ballast + i);
      await inLanes(indexes, 500, async (i) => {
        const token = `bench-${batchTag}-${i}`;
        const call = callOf(token, `wf-${i}`, ['crm', 'CCrmDocumentDeal', `DEAL_${50_000_000 + i}`]);
        await openButtonWait(sys, line, call, phoneOf(i));
      });
      ballast = Math.max(ballast, target);
      o.say(`${point}: ${indexes.length} waits opened in ${((Date.now() - openedAt) / 1000).toFixed(1)} s`);
      const runs = await startRuns(sys, o.replies);
      const replies: Array<{ phoneNumberId: string; from: string; id: string; title: string }> = [];
      await inLanes(
        runs.map((run) => ({ run, phone: phoneOf(9_000_000 + answered++) })),
        200,
        async ({ run, phone }) => {
          const waitId = await openButtonWait(sys, line, callOf(run.eventToken, run.workflowId, run.documentId), phone);
          replies.push({
            phoneNumberId: benchLine.phoneNumberId,
            from: phone,
            id: encodeButtonId(waitId, 1),
            title: 'Yes',
          });
        },
      );
      const open = await sys.rt.redis.zcard(openKey);
      if (open !== point) throw new Error(`replies: ${open} waits open, expected ${point}`);
      const started = Date.now();
      const delivering = sys.sim.call({ cmd: 'deliverReplies', replies, concurrency: 32 }, 300_000);
      const deadline = started + 300_000;
      while ((await sys.rt.redis.zcard(openKey)) > point - o.replies) {
        if (Date.now() > deadline) throw new Error(`replies: waits still open after 300 s at ${point}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const seconds = (Date.now() - started) / 1000;
      const { statuses } = await delivering;
      if (Object.keys(statuses).some((s) => s !== '200'))
        throw new Error(`replies: webhook answers ${JSON.stringify(statuses)}`);
      rates[String(point)] = o.replies / seconds;
      o.say(
        `${point} open: ${o.replies} replies resolved in ${seconds.toFixed(2)} s → ${rates[String(point)]?.toFixed(0)}/s`,
      );
    }
    return rates;
  } finally {
    await sys.close();
  }
}
