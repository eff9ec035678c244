import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { type SimCommand, type SimResult, simReplySchema, simResults } from './sim-protocol';

/** The bench's handle on its simulator process. */
export interface SimClient {
  pid: number;
  call<C extends SimCommand['cmd']>(
    command: Extract<SimCommand, { cmd: C }>,
    timeoutMs?: number,
  ): Promise<SimResult<C>>;
  output(): string;
  stop(): Promise<void>;
}

const KEEP_OUTPUT = 50_000;

/** Forks bench/sim-process.ts (with tsx) and resolves once it says it is ready. */
export async function startSimProcess(): Promise<SimClient> {
  let output = '';
  const child: ChildProcess = fork(join(__dirname, 'sim-process.ts'), [], {
    // BENCH_PROFILE_SIM=<dir>: a CPU profile of the simulators (is the simulator the bottleneck?).
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_PROFILE_SIM ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_SIM}`] : []),
    ],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { PATH: process.env.PATH ?? '' },
  });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-KEEP_OUTPUT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the simulator process');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  child.on('message', (raw: unknown) => {
    const reply = simReplySchema.safeParse(raw);
    if (!reply.success) return;
    const waiter = pending.get(reply.data.id);
    if (!waiter) return;
    pending.delete(reply.data.id);
    if (reply.data.ok) waiter.resolve(reply.data.result);
    else waiter.reject(new Error(`simulator process: ${reply.data.error}`));
  });
  void exited.then(() => {
    for (const waiter of pending.values())
      waiter.reject(new Error(`simulator process exited:\n${output.slice(-2000)}`));
    pending.clear();
  });
  const send = (id: number, command: SimCommand | null, timeoutMs: number, what: string) =>
    new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`simulator process: no answer to "${what}" within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      if (command) child.send({ id, command });
    });
  await send(0, null, 60_000, 'ready');
  return {
    pid,
    async call(command, timeoutMs = 60_000) {
      const result = await send(nextId++, command, timeoutMs, command.cmd);
      // Each command's answer has its schema in simResults (keyed by the command's name).
      return simResults[command.cmd].parse(result) as SimResult<typeof command.cmd>;
    },
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
