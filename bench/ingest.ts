import autocannon from 'autocannon';
import { endpoints } from '../config/endpoints';
import { freePort } from '../lib/redis-server';
import { makeEventToken, uniqid } from '../simulators/bitrix24/tokens';
import { encodePhpForm, phpUrlencode } from '../simulators/shared/php-form';
import { productionNodeFlags, startAppProcess } from '../test/faults/app-process';
import { benchCpuMs, processCpuMs, redisCpuMsOf } from './cpu';
import { pacedLoad } from './paced-load';
import type { BenchResults } from './results';
import { openSystems, startBenchSystem, stopWithin } from './system';

export interface IngestOptions {
  seconds: number;
  say: (line: string) => void;
}

const CONNECTIONS = 32;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const WF = '__BENCH_WF__';
const TOKEN = '__BENCH_TOKEN__';

/**
 * Robot calls of the installed portal with a distinct event token each: the portal's real handler
 * POST for one run (its auth block with the application token), with the run's ids swapped per call.
 */
function robotBodies(fields: Record<string, unknown>): () => string {
  const template = encodePhpForm({ ...fields, workflow_id: WF, event_token: TOKEN });
  const secret = uniqid();
  return () => {
    const workflowId = uniqid();
    return template
      .replace(WF, phpUrlencode(workflowId))
      .replace(TOKEN, phpUrlencode(makeEventToken(secret, workflowId)));
  };
}

/** One autocannon run; `serverPid`'s CPU and the bench's own (the load generator) per answered call. */
async function load(
  url: string,
  body: () => string,
  seconds: number,
  server: { pid: number; redisCpuMs?: () => Promise<number> },
) {
  const serverPid = server.pid;
  const serverCpu = () => processCpuMs(serverPid);
  const ownCpu = benchCpuMs;
  const redisCpu = server.redisCpuMs ?? (async () => 0);
  const [serverBefore, ownBefore, redisBefore] = [serverCpu(), ownCpu(), await redisCpu()];
  const result = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
    headers: FORM,
    requests: [{ setupRequest: (request) => ({ ...request, body: body() }) }],
  });
  const ok = result['2xx'];
  return {
    serverCpuMs: ok > 0 ? (serverCpu() - serverBefore) / ok : 0,
    redisCpuMs: ok > 0 ? ((await redisCpu()) - redisBefore) / ok : 0,
    loadCpuMs: ok > 0 ? (ownCpu() - ownBefore) / ok : 0,
    rps: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (
    !(await fetch(url).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${url}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The robot door vs a bare Express route, same client and load; then the door at a fixed 1,000 req/s. */
export async function ingestScenario(o: IngestOptions): Promise<BenchResults['ingest']> {
  // The door's cost alone: no worker takes the queued jobs while it is measured.
  const sys = await startBenchSystem({
    workers: 0,
    lines: 1,
    restLimit: { drainPerSec: 50, burst: 500 },
    lineRatePerSec: 80,
  });
  const barePort = await freePort();
  // The web process's own Node flags: the bare route runs as the door's process does.
  const bare = startAppProcess(
    'bare',
    'bench/bare-server.ts',
    { PORT: String(barePort) },
    productionNodeFlags('app/main.ts'),
  );
  const stopBare = () => stopWithin(bare);
  openSystems.add(stopBare);
  try {
    const { runs } = await sys.sim.call({
      cmd: 'prepareRuns',
      code: 'wa_send_text',
      properties: [{ text: 'Your order is ready', phone: '+79161234567', line: 'line0' }],
    });
    const [fields] = runs;
    if (!fields) throw new Error('the portal prepared no run');
    const body = robotBodies(fields);
    await waitForHealth(`http://127.0.0.1:${barePort}/healthz`, 60_000);
    const doorUrl = `${sys.appUrl}${endpoints.robot}`;
    const bareUrl = `http://127.0.0.1:${barePort}${endpoints.robot}`;
    // A short warm-up each (JIT, connection pools), not counted.
    if (sys.cpu.webPid === null) throw new Error('ingest: no web process');
    const web = { pid: sys.cpu.webPid, redisCpuMs: async () => redisCpuMsOf(await sys.cpu.redisInfoCpu()) };
    const barePid = { pid: bare.pid };
    await load(doorUrl, body, 1, web);
    await load(bareUrl, body, 1, barePid);
    const door = await load(doorUrl, body, o.seconds, web);
    const plain = await load(bareUrl, body, o.seconds, barePid);
    o.say(`door ${door.rps.toFixed(0)} req/s (p50 ${door.p50} ms), bare route ${plain.rps.toFixed(0)} req/s`);
    o.say(
      `server CPU per call: door ${door.serverCpuMs.toFixed(3)} ms (+ Redis ${door.redisCpuMs.toFixed(3)} ms), bare route ${plain.serverCpuMs.toFixed(3)} ms; the load generator ${door.loadCpuMs.toFixed(3)} / ${plain.loadCpuMs.toFixed(3)} ms`,
    );
    if (door.failures > 0) throw new Error(`the robot door failed ${door.failures} call(s) under load`);
    // The fixed rate: evenly paced, latency from each request's due time (bench/paced-load.ts).
    const paced = (url: string) =>
      pacedLoad({ url, body, headers: FORM, rate: 1000, seconds: o.seconds, connections: 64, timeoutMs: 10_000 });
    const fixed = await paced(doorUrl);
    const sustained = fixed.failures === 0 && fixed.rps >= 950;
    o.say(
      `door at 1,000 req/s offered: ${fixed.rps.toFixed(0)} answered/s, p99 ${fixed.p99.toFixed(1)} ms (from the due time; ${fixed.serviceP99.toFixed(1)} ms from the send), ${fixed.failures} failed`,
    );
    // The control: the bare route under the same fixed load shows what the machine alone adds to p99.
    const bareFixed = await paced(bareUrl);
    o.say(
      `bare route at 1,000 req/s offered: ${bareFixed.rps.toFixed(0)} answered/s, p99 ${bareFixed.p99.toFixed(1)} ms (${bareFixed.serviceP99.toFixed(1)} ms from the send)`,
    );
    return {
      robot_rps: door.rps,
      bare_rps: plain.rps,
      ratio: plain.rps > 0 ? door.rps / plain.rps : 0,
      p50_ms: door.p50,
      p99_ms_at_1000: fixed.p99,
      rps_at_1000: fixed.rps,
      sustained_at_1000: sustained,
      bare_p99_ms_at_1000: bareFixed.p99,
      door_cpu_ms_per_call: door.serverCpuMs,
      door_redis_cpu_ms_per_call: door.redisCpuMs,
      bare_cpu_ms_per_call: plain.serverCpuMs,
      load_cpu_ms_per_call: door.loadCpuMs,
    };
  } finally {
    openSystems.delete(stopBare);
    await stopBare();
    await sys.close();
  }
}
