import { z } from 'zod';
import { loadConfigOrExit } from '../config/load-config';
import { createRedis } from '../redis/connect';
import { createRuntime } from '../runtime/create-runtime';
import { createLogger } from '../lib/logger';
import { parseArgs } from './parse-args';
import { runLinesCommand } from './lines-command';
import { runWaitsCommand } from './waits-command';
import { runPortalsCommand } from './portals-command';
import { createWaitService } from '../waits/wait-service';

/** `npm run cli -- <group> <command> [flags]` */
async function main(): Promise<void> {
  const { positional, flags } = parseArgs(process.argv.slice(2));
  const [group, sub, ...rest] = positional;
  const config = loadConfigOrExit();
  const redis = createRedis(config.REDIS_URL, 'worker');
  const rt = createRuntime({ config, redis, log: createLogger('warn') });
  try {
    let out: string;
    if (group === 'lines') out = await runLinesCommand(rt, sub, flags, rest);
    else if (group === 'waits') out = await runWaitsCommand(rt, createWaitService(rt), sub, flags, rest);
    else if (group === 'portals') out = await runPortalsCommand(rt, sub, flags);
    else throw new Error('usage: cli lines add|list|remove | waits list|cancel | portals list|set');
    process.stdout.write(`${out}\n`);
  } catch (error) {
    const message = error instanceof z.ZodError ? error.issues.map((i) => i.message).join('\n') : error instanceof Error ? error.message : String(error);
    process.stderr.write(`${message}\n`);
    process.exitCode = 1;
  } finally {
    await rt.queues.close();
    redis.disconnect();
  }
}

void main();
