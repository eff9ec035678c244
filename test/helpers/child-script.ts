import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { z } from 'zod';

const root = join(__dirname, '../..');
const resourcesLine = z.array(z.string());

/**
 * Child-script code defining `printResourcesLeft()`: prints `process.getActiveResourcesInfo()` as one
 * JSON line, what would still hold the process. It looks once the timers due now have run (a 0 ms
 * timer armed before it fires first: one duration's timers fire in the order set) and its own timer
 * is gone (setImmediate), so a 'Timeout' in the list is a timer still waiting.
 */
const prelude = `
  function printResourcesLeft() {
    setTimeout(() => setImmediate(() => process.stdout.write(JSON.stringify(process.getActiveResourcesInfo()) + '\\n')), 1);
  }`;

/** Kills the child's process group (a redis-server it started too); a group already gone is fine. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/**
 * Runs `script` (CommonJS with tsx loaded, from the repository root; `process.argv[1..]` are `args`)
 * in a node process of its own. The script calls `printResourcesLeft()` once, at the point checked;
 * its list is returned. The process must also exit by itself with code 0 within `timeoutMs`: past
 * that, or on any failure, its process group is killed, and the error carries its stderr.
 */
export async function resourcesLeft(
  script: string,
  args: readonly string[] = [],
  timeoutMs = 30_000,
): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', `${prelude}\n${script}`, ...args], {
    cwd: root,
    detached: true, // its own process group, killed as one
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  let timedOut = false;
  const bound = setTimeout(() => {
    timedOut = true;
    killGroup(child);
  }, timeoutMs);
  try {
    // 'close', not 'exit': the child's stdout may still be open at 'exit'.
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
    });
    if (timedOut) throw new Error(`the process did not exit within ${timeoutMs} ms; stderr:\n${stderr}`);
    if (code !== 0) throw new Error(`the process failed (exit ${code ?? signal}); stderr:\n${stderr}`);
    const lines = stdout.trim().split('\n');
    if (lines.length !== 1) throw new Error(`expected one line of resources, got:\n${stdout}\nstderr:\n${stderr}`);
    return resourcesLine.parse(JSON.parse(lines[0] ?? ''));
  } finally {
    clearTimeout(bound);
    killGroup(child);
  }
}
