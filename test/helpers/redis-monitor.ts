import { Redis } from 'ioredis';
import { randomId } from '../../lib/hash';
import { pollUntil } from './poll';

/** One command Redis ran: `fromScript` when a Lua script ran it (not a round trip of the app). */
export interface SeenCommand {
  name: string;
  args: string[];
  fromScript: boolean;
}

export interface CommandWatch {
  /**
   * The commands naming `prefix` that Redis ran so far, this one's own mark excluded: a mark sent
   * after them comes back through MONITOR behind them (one server, in order), so none is missed.
   */
  seen(): Promise<SeenCommand[]>;
  stop(): Promise<void>;
}

/**
 * Watches (MONITOR) the commands of one test's keys on the shared test Redis: how many round trips
 * a step costs is asserted from what Redis saw, not from timing.
 */
export async function watchCommands(url: string, prefix: string): Promise<CommandWatch> {
  // MONITOR runs on a duplicate of this (unconnected) client.
  const client = new Redis(url, { lazyConnect: true });
  const marker = new Redis(url);
  const monitor = await client.monitor();
  const all: SeenCommand[] = [];
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const [name = '', ...rest] = args;
    if (!rest.some((a) => a.includes(prefix))) return;
    all.push({ name: name.toLowerCase(), args: rest, fromScript: String(source).includes('lua') });
  });
  return {
    async seen() {
      const mark = `${prefix}:monitor-mark:${randomId(6)}`;
      await marker.exists(mark);
      await pollUntil(() => all.some((c) => c.args[0] === mark), 10_000, 'the monitor mark');
      return all.filter((c) => !c.args[0]?.startsWith(`${prefix}:monitor-mark:`));
    },
    async stop() {
      monitor.disconnect();
      client.disconnect();
      marker.disconnect();
    },
  };
}
