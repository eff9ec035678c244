import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { type AppDeps, createExpressApp } from '../../app/create-app';
import { observedHost } from '../../app/doors/robot-door';
import { createRobotDoorDirect } from '../../app/doors/robot-door-direct';
import { createLogger } from '../../lib/logger';
import type { Runtime } from '../../runtime/create-runtime';
import type { RawResponse } from './raw-http';

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

/** The robot door served through the direct path (`direct`) or by Express alone. */
export async function serve(rt: Runtime, direct: boolean): Promise<Served> {
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
  const server = createServer(direct ? createRobotDoorDirect(deps, toExpress) : express);
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
