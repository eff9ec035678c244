import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { type AppDeps, createExpressApp } from '../../app/create-app';
import { type DirectDoorsHost, observedHost } from '../../app/doors/direct-doors';
import type { RequestListener } from '../../app/doors/robot-door';
import { createRobotDoorDirect } from '../../app/doors/robot-door-direct';
import { createLogger } from '../../lib/logger';
import { createRuntime, type Runtime } from '../../runtime/create-runtime';
import { deadRedis } from './dead-redis';
import { eventually } from './harness';
import { postRaw, type RawPost, type RawResponse } from './raw-http';

/** How Bitrix24 sends a robot call. */
export const FORM = 'application/x-www-form-urlencoded';

/** One web process' doors with a log of their own, served on a free port. */
export interface Served {
  url: string;
  server: Server;
  log: Array<Record<string, unknown>>;
  /** Requests the direct path passed to Express (refused, failed, or not its kind). */
  passed: string[];
}

/** A door's direct path in front of the Express app it hands requests to. */
export type DirectPathOf = (deps: AppDeps, express: DirectDoorsHost) => RequestListener;

/** The doors served through a direct path (`direct`: the robot door's unless `directOf`) or by Express alone. */
export async function serve(
  rt: Runtime,
  direct: boolean,
  directOf: DirectPathOf = createRobotDoorDirect,
): Promise<Served> {
  const log: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) log.push(JSON.parse(line));
      done();
    },
  });
  const deps: AppDeps = { ...rt, log: createLogger('info', sink) };
  const express = createExpressApp(deps);
  const passed: string[] = [];
  const toExpress = observedHost(express, (req) => passed.push(`${req.method} ${req.url}`));
  const server = createServer(direct ? directOf(deps, toExpress) : express);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo; // listen(0) on an IP: always an AddressInfo
  return { url: `http://127.0.0.1:${port}`, server, log, passed };
}

/** What a client and the log see of an answer, with the job id (a digest of the event token) set aside. */
export function seen(response: RawResponse, log: Array<Record<string, unknown>>) {
  const body: unknown = JSON.parse(response.text);
  // A 5xx line carries the error, whose stack names the path's own frames.
  const lines = log.map(({ time: _time, err, ...rest }) =>
    typeof err === 'object' && err !== null ? { ...rest, err: { ...err, stack: undefined } } : rest,
  );
  // Every header but the time it was sent (the Express door adds nothing the direct path would lack).
  const { date: _date, ...headers } = response.headers;
  return {
    status: response.status,
    headers,
    body: typeof body === 'object' && body !== null && 'job' in body ? { ...body, job: 'JOB' } : body,
    lines,
  };
}

/**
 * Posts to `path` on the direct path and on Express alone (`post` gets 'd' and 'e', to tell their
 * jobs apart); what each answered and logged, the log and the passed requests cleared before.
 */
export async function postBothWays(
  direct: Served,
  viaExpress: Served,
  path: string,
  post: (suffix: 'd' | 'e') => RawPost,
): Promise<Array<ReturnType<typeof seen>>> {
  const answers = [];
  for (const [served, suffix] of [
    [direct, 'd'],
    [viaExpress, 'e'],
  ] as const) {
    served.log.length = 0;
    served.passed.length = 0;
    answers.push(seen(await postRaw(`${served.url}${path}`, post(suffix)), served.log));
  }
  return answers;
}

/**
 * Starts a POST to `path` declaring 1,000 bytes, sends `start` and cuts the connection, on each of
 * `servers`; the log line each wrote of it (its time set aside).
 */
export async function cutUploadLines(
  servers: Served[],
  path: string,
  headers: Record<string, string>,
  start: string,
): Promise<Array<Record<string, unknown>>> {
  const lines: Array<Record<string, unknown>> = [];
  for (const served of servers) {
    served.log.length = 0;
    const { port } = served.server.address() as AddressInfo; // listen(0) on an IP: always an AddressInfo
    await new Promise<void>((resolve) => {
      const req = request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        headers: { ...headers, 'content-length': '1000' },
      });
      req.on('error', () => resolve());
      req.write(start, () => setImmediate(() => req.destroy()));
    });
    const line = await eventually(() => served.log.find((l) => l.msg === 'request refused'), 10_000, 'its log');
    lines.push({ ...line, time: undefined });
  }
  return lines;
}

/**
 * The doors on a Redis nobody listens on, through `directOf` and by Express alone: what each
 * answered and logged of `post` to `path`, and what the direct path passed to Express.
 */
export async function deadRedisAnswers(
  rt: Runtime,
  directOf: DirectPathOf,
  path: string,
  post: RawPost,
): Promise<{ answers: Array<ReturnType<typeof seen>>; passed: string[] }> {
  const dead = await deadRedis();
  const deadRt = createRuntime({ config: rt.config, redis: dead, log: createLogger('silent'), keyPrefix: 'dead' });
  const both = [await serve(deadRt, true, directOf), await serve(deadRt, false)];
  try {
    const answers = [];
    for (const served of both) answers.push(seen(await postRaw(`${served.url}${path}`, post), served.log));
    return { answers, passed: both[0]?.passed ?? [] };
  } finally {
    for (const served of both) {
      served.server.closeAllConnections();
      served.server.close();
    }
    await deadRt.close().catch(() => undefined);
    dead.disconnect();
  }
}
