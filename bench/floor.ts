import { rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { startRedisServer } from '../lib/redis-server';
import { productionNodeFlags, startAppProcess } from '../test/faults/app-process';

export interface FloorOptions {
  jobs: number;
  /** The send path's own Redis round trips per message (BullMQ's left out), as the outbound scenario counted them. */
  roundTrips: number;
  say: (line: string) => void;
}

const stageSchema = z.object({
  stage: z.enum(['job', 'job_post', 'job_post_trips']),
  cpu_ms_per_job: z.number().nonnegative(),
  per_s: z.number().nonnegative(),
});

/** The floor's figures: ms of one process's CPU. */
export interface Floor {
  job_ms: number;
  post_ms: number;
  round_trip_ms: number;
  round_trips: number;
  /** A job, one POST and the send path's round trips: the least a sent message costs a worker. */
  send_path_ms: number;
}

/** Round trips per job in the floor process's last stage: one trip's cost is their mean. */
const TRIPS_MEASURED = 8;

/** A Cloud API answer to a sent message, as the simulator and the real API give it. */
const ANSWER = JSON.stringify({
  messaging_product: 'whatsapp',
  contacts: [{ input: '79161004414', wa_id: '79161004414' }],
  messages: [{ id: 'wamid.HBgLNzkxNjEwMDQ0MTQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA' }],
});

/**
 * The stack's floor per sent message (bench/floor-process.ts): its own redis-server, a bare HTTP
 * server in this process answering as the Cloud API does, and the floor process, whose CPU alone is read.
 */
export async function floorScenario(o: FloorOptions): Promise<Floor> {
  const redis = await startRedisServer();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(ANSWER);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo; // a TCP server's address is an AddressInfo
  try {
    // The worker's own Node flags: the floor is what a worker process pays with no app logic.
    const child = startAppProcess(
      'floor',
      'bench/floor-process.ts',
      {
        FLOOR_REDIS_URL: redis.url,
        FLOOR_POST_URL: `http://127.0.0.1:${port}/v21.0/106540352200004/messages`,
        FLOOR_JOBS: String(o.jobs),
        FLOOR_ROUND_TRIPS: String(TRIPS_MEASURED),
      },
      productionNodeFlags('workers/main.ts'),
    );
    const code = await child.exited;
    if (code !== 0) throw new Error(`floor: the process exited with ${code}:\n${child.output().slice(-2000)}`);
    const stages = new Map(
      child
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => stageSchema.parse(JSON.parse(line)))
        .map((s) => [s.stage, s.cpu_ms_per_job] as const),
    );
    const job = stages.get('job');
    const post = stages.get('job_post');
    const trips = stages.get('job_post_trips');
    if (job === undefined || post === undefined || trips === undefined)
      throw new Error(`floor: stages missing in\n${child.output().slice(-2000)}`);
    const roundTripMs = Math.max(0, (trips - post) / TRIPS_MEASURED);
    const postMs = Math.max(0, post - job);
    const floor: Floor = {
      job_ms: job,
      post_ms: postMs,
      round_trip_ms: roundTripMs,
      round_trips: o.roundTrips,
      send_path_ms: job + postMs + o.roundTrips * roundTripMs,
    };
    o.say(
      `a BullMQ job ${floor.job_ms.toFixed(3)} ms, one provider POST ${floor.post_ms.toFixed(3)} ms, one Redis round trip ${floor.round_trip_ms.toFixed(3)} ms → a job, a POST and ${o.roundTrips.toFixed(1)} round trips: ${floor.send_path_ms.toFixed(3)} ms of CPU`,
    );
    return floor;
  } finally {
    server.close();
    await redis.stop();
    rmSync(redis.dir, { recursive: true, force: true });
  }
}
