import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

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

const packageScripts = z.object({ scripts: z.record(z.string(), z.string()) });

/**
 * The Node flags production gives `script` (`app/main.ts`, `workers/main.ts`): whatever stands between
 * `node` and `--import` in the package.json script that runs it (`npm start`, `npm run worker`), so
 * the bench and the fault tests run each process as production does. Empty for any other script.
 */
export function productionNodeFlags(script: string): string[] {
  const { scripts } = packageScripts.parse(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')));
  for (const command of Object.values(scripts)) {
    const words = command.trim().split(/\s+/);
    const importAt = words.indexOf('--import');
    if (words[0] !== 'node' || importAt < 0 || words.at(-1) !== script) continue;
    return words.slice(1, importAt);
  }
  // The two entry points must be found: a script of another form would silently drop their flags.
  if (PRODUCTION_ENTRIES.has(script))
    throw new Error(`package.json runs ${script} with no \`node … --import tsx\` script`);
  return [];
}

const PRODUCTION_ENTRIES: ReadonlySet<string> = new Set(['app/main.ts', 'workers/main.ts']);

/**
 * Starts `script` with `node --import tsx` (so the pid is the process itself: the `tsx` CLI runs the
 * script in a child of its own, and a kill -9 of the CLI would leave that child running), with the
 * flags production gives it (productionNodeFlags).
 */
export function startAppProcess(
  name: string,
  script: string,
  env: Record<string, string>,
  /** More Node flags before the script (`--cpu-prof` for a profile of the process). */
  nodeArgs: string[] = [],
): AppProcess {
  let output = '';
  const flags = [...productionNodeFlags(script), ...nodeArgs];
  const child: ChildProcess = spawn(process.execPath, [...flags, '--import', 'tsx', script], {
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
