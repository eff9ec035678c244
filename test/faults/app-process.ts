import { type ChildProcess, spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
/** Output kept per process for a failure report: the last part is what explains a crash. */
const KEEP_OUTPUT = 200_000;

/** One of the app's processes (`app/main.ts`, `workers/main.ts`), run as in production. */
export interface AppProcess {
  name: string;
  pid: number;
  /** BullMQ's `processedBy` of the jobs this process takes (runtime/start-workers: host:pid). */
  workerName: string;
  output(): string;
  /** False once the process has exited. */
  running(): boolean;
  exited: Promise<number | null>;
  /** kill -9: no shutdown hook runs, locks and leases stay behind. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for the exit (the processes' own graceful shutdown). */
  stop(): Promise<void>;
}

/**
 * Starts `script` with `node --import tsx`, so the pid is the process itself: the `tsx` CLI runs
 * the script in a child of its own, and a kill -9 of the CLI would leave that child running.
 */
export function startAppProcess(
  name: string,
  script: string,
  env: Record<string, string>,
  /** Node's own flags before the script (`--cpu-prof` for a profile of the process). */
  nodeArgs: string[] = [],
): AppProcess {
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-KEEP_OUTPUT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: could not start ${script}`);
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return {
    name,
    pid,
    workerName: `${hostname()}:${pid}`,
    output: () => output,
    running: () => child.exitCode === null && child.signalCode === null,
    exited,
    kill9: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
  };
}
