import { z } from 'zod';
import { loadConfigOrExit } from '../config/load-config';
import { errorMessage } from '../lib/errors/classify-error';
import { createLogger } from '../lib/logger';
import { moveQueuePrefix } from '../queues/move-prefix';
import { createRedis } from '../redis/connect';
import { createRuntime } from '../runtime/create-runtime';
import { parseCommandLine } from './cli-args';
import { runHooksCommand } from './hooks-command';
import { runLinesCommand } from './lines-command';
import { runOpenLinesCommand } from './open-lines-command';
import { runPortalsCommand } from './portals-command';
import { runTemplatesCommand } from './templates-command';
import { runTokensCommand } from './tokens-command';
import { runWaitsCommand } from './waits-command';

/** `npm run cli -- <group> <command> [flags]` */
async function main(): Promise<void> {
  let line: ReturnType<typeof parseCommandLine>;
  try {
    line = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${errorMessage(error)}\n`);
    process.exitCode = 2;
    return;
  }
  const config = loadConfigOrExit();
  if (line.command === 'queues move-prefix') return moveQueues(config.REDIS_URL, line.flags);
  const redis = createRedis(config.REDIS_URL, 'worker');
  const rt = createRuntime({ config, redis, log: createLogger('warn') });
  try {
    const { command, sub, flags, positional } = line;
    const group = command.split(' ')[0];
    let out: string;
    if (group === 'lines' && (sub === 'attach' || sub === 'detach'))
      out = await runOpenLinesCommand(rt.openLineSetup, sub, flags, positional);
    else if (group === 'lines') out = await runLinesCommand(rt, sub, flags, positional);
    else if (group === 'waits') out = await runWaitsCommand(rt, sub, flags, positional);
    else if (group === 'hooks') out = await runHooksCommand(rt, sub, flags, positional);
    else if (group === 'tokens') out = await runTokensCommand(rt, sub, flags, positional);
    else if (group === 'templates') out = await runTemplatesCommand(rt, sub, flags);
    else out = await runPortalsCommand(rt, sub, flags);
    process.stdout.write(`${out}\n`);
  } catch (error) {
    const message = error instanceof z.ZodError ? error.issues.map((i) => i.message).join('\n') : errorMessage(error);
    process.stderr.write(`${message}\n`);
    process.exitCode = 1;
  } finally {
    await rt.close();
    redis.disconnect();
  }
}

/** `queues move-prefix --from bull --to {bull}`: no runtime (its queues would write under a prefix). */
async function moveQueues(redisUrl: string, flags: Record<string, string>): Promise<void> {
  const redis = createRedis(redisUrl, 'worker');
  try {
    const { moved, queues } = await moveQueuePrefix(redis, flags.from ?? '', flags.to ?? '');
    process.stdout.write(`moved ${moved} keys of ${queues.length} queues (${queues.join(', ')}) to ${flags.to}\n`);
    process.stdout.write(`start every process with QUEUE_PREFIX=${flags.to}\n`);
  } catch (error) {
    process.stderr.write(`${errorMessage(error)}\n`);
    process.exitCode = 1;
  } finally {
    redis.disconnect();
  }
}

void main();
