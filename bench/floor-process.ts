/**
 * The stack's own floor per sent message, in a process of its own (bench/floor.ts starts it): what
 * a BullMQ job, one provider POST and one Redis round trip cost this machine's CPU with the app's
 * libraries and settings (ioredis writing each event-loop turn's commands at once, BullMQ's worker
 * at the run-action concurrency and crash-recovery settings, the providers' undici pool) and none of the app's own
 * logic (a round trip is one of the send path's own scripts). The worker's CPU per sent message is measured against it: a goal below the floor of the
 * send path's round trips cannot be met by trimming the app's code. Prints one JSON line per stage.
 */
import { Queue, Worker } from 'bullmq';
import { postJson } from '../providers/provider-http';
import { createRedis } from '../redis/connect';
import { createKeys } from '../redis/keys';
import { run } from '../redis/scripts';

const keys = createKeys();
const MEMBER_ID = '0788c8bbfefede7a17dd269087b809dd';

const redisUrl = process.env.FLOOR_REDIS_URL ?? '';
const postUrl = process.env.FLOOR_POST_URL ?? '';
const jobs = Number(process.env.FLOOR_JOBS ?? 20_000);
const roundTrips = Number(process.env.FLOOR_ROUND_TRIPS ?? 8);
if (!Number.isInteger(roundTrips) || roundTrips < 1) throw new Error('FLOOR_ROUND_TRIPS: a whole number ≥ 1');
const concurrency = Number(process.env.FLOOR_CONCURRENCY ?? 64);
/** Jobs run before each stage's measurement starts (JIT, connections). */
const WARM_UP = 2000;

/** A run-action job's data as the door queues it, about the same size. */
const jobData = (i: number) => ({
  memberId: MEMBER_ID,
  code: 'wa_send_text',
  callKey: `${'k'.repeat(40)}${i}`,
  properties: { line: 'line4', phone: '+7 916 100-44-14', text: 'Hello from the bench, your order is ready.' },
  document_id: ['crm', 'CCrmDocumentDeal', `DEAL_${i}`],
  event_token: `${'e'.repeat(40)}|${i}`,
  receivedAt: Date.now(),
});

async function stage(name: string, work: (i: number) => Promise<void>): Promise<void> {
  const queueName = `floor-${name}`;
  const queue = new Queue(queueName, { connection: createRedis(redisUrl, 'worker') });
  for (let i = 0; i < jobs; i += 1000)
    await queue.addBulk(
      Array.from({ length: Math.min(1000, jobs - i) }, (_, j) => ({
        name: 'run',
        data: jobData(i + j),
        opts: { removeOnComplete: { age: 86_400, count: 100_000 }, attempts: 5 },
      })),
    );
  let done = 0;
  let cpuFrom = process.cpuUsage();
  let timeFrom = 0;
  const finished = new Promise<void>((resolve, reject) => {
    const worker = new Worker(
      queueName,
      async (job) => {
        await work(Number(job.id));
        done += 1;
        if (done === WARM_UP) {
          cpuFrom = process.cpuUsage();
          timeFrom = Date.now();
        }
        if (done === jobs) resolve();
        return 'sent';
      },
      {
        connection: createRedis(redisUrl, 'worker'),
        concurrency,
        lockDuration: 5_000,
        stalledInterval: 2_000,
        maxStalledCount: 3,
      },
    );
    worker.on('failed', (_job, error) => reject(error));
  });
  await finished;
  const cpu = process.cpuUsage(cpuFrom);
  const measured = jobs - WARM_UP;
  const ms = (cpu.user + cpu.system) / 1000 / measured;
  const perSec = measured / ((Date.now() - timeFrom) / 1000);
  process.stdout.write(`${JSON.stringify({ stage: name, cpu_ms_per_job: ms, per_s: perSec })}\n`);
}

async function main(): Promise<void> {
  const redis = createRedis(redisUrl, 'worker');
  const post = async () => {
    const answer = await postJson(postUrl, { authorization: 'Bearer EAAGfloor' }, floorMessage, 15_000);
    if (answer.status !== 200) throw new Error(`floor: the POST answered ${answer.status}`);
  };
  const trips = async (i: number) => {
    // One of the send path's own scripts through the app's script runner (the step claim, each trip
    // a step of its own): what a round trip costs the app's client, with the script's work in Redis.
    for (let n = 0; n < roundTrips; n += 1)
      await run(
        redis,
        'send-step-claim-3',
        [keys.sentStep(MEMBER_ID, `call-${i}`), keys.wait(MEMBER_ID, '-'), keys.waitIndex(MEMBER_ID)],
        [String(n), `~${Date.now()}`, '~', 86_400, '0', ''],
      );
  };
  await stage('job', async () => undefined);
  await stage('job_post', post);
  await stage('job_post_trips', async (i) => {
    await trips(i);
    await post();
  });
  redis.disconnect();
}

const floorMessage = {
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to: '79161004414',
  type: 'text',
  text: { preview_url: false, body: 'Hello from the bench, your order is ready.' },
};

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
