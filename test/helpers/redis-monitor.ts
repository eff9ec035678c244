import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { randomId } from '../../lib/hash';
import { pollUntil } from './poll';

/** One command Redis ran: `fromScript` when a Lua script ran it (not a round trip of the app). */
export interface SeenCommand {
  name: string;
  args: string[];
  fromScript: boolean;
  /** The client's address (`127.0.0.1:port`), or `lua` for a script's command: whose round trip it was. */
  client: string;
}

export interface CommandWatch {
  /**
   * The commands naming `prefix` that Redis ran so far, this one's own mark excluded: a mark sent
   * after them comes back through MONITOR behind them (one server, in order), so none is missed.
   * A MULTI and its EXEC (they name no key) are in it when the transaction has a command naming `prefix`.
   */
  seen(): Promise<SeenCommand[]>;
  stop(): Promise<void>;
}

/** One MONITOR line's arguments (`"get" "key"`, quoted and escaped as Redis writes them). */
function argsOf(line: string): string[] {
  const args: string[] = [];
  const quoted = /"((?:[^"\\]|\\.)*)"/g;
  for (let m = quoted.exec(line); m; m = quoted.exec(line))
    args.push(
      (m[1] ?? '').replace(/\\x([0-9a-f]{2})|\\(.)/g, (_all, hex: string | undefined, ch: string) =>
        hex ? String.fromCharCode(Number.parseInt(hex, 16)) : ch === 'n' ? '\n' : ch === 'r' ? '\r' : ch,
      ),
    );
  return args;
}

/**
 * Watches (MONITOR) the commands of one test's keys on the shared test Redis: how many round trips
 * a step costs is asserted from what Redis saw, not from timing. A plain socket, not ioredis'
 * monitor mode: that one sets its mode a tick after MONITOR's OK, so a monitor line in the same
 * packet (other suites' traffic on the shared Redis) broke its command queue.
 */
export async function watchCommands(url: string, prefix: string): Promise<CommandWatch> {
  const { hostname, port, password } = new URL(url);
  const socket = connect(Number(port || 6379), hostname || '127.0.0.1');
  const marker = new Redis(url);
  const all: SeenCommand[] = [];
  /** Clients inside a MULTI (Redis shows it when queued, its commands at EXEC): whether one named `prefix`. */
  const transactions = new Map<string, boolean>();
  let pending = '';
  let oks = password ? 2 : 1;
  let started: () => void = () => undefined;
  const monitoring = new Promise<void>((resolve) => {
    started = resolve;
  });
  socket.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\r\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      // AUTH's OK (when there is a password), then MONITOR's: monitoring from the last one.
      if (line === '+OK' && --oks === 0) started();
      if (!line.startsWith('+') || line === '+OK') continue;
      // +<time> [<db> <client or lua>] "name" "arg" …
      const [upper = '', ...rest] = argsOf(line);
      const name = upper.toLowerCase();
      const source = line.slice(line.indexOf('[') + 1, line.indexOf(']'));
      const client = source.split(' ')[1] ?? '';
      const inTransaction = transactions.get(client);
      if (name === 'multi') transactions.set(client, false);
      if ((name === 'exec' || name === 'discard') && inTransaction !== undefined) {
        transactions.delete(client);
        if (inTransaction) all.push({ name, args: [], fromScript: false, client });
      }
      if (!rest.some((a) => a.includes(prefix))) continue;
      // MULTI names no key: it is seen (before the first of its commands naming `prefix`) as a
      // command of its own, and so is its EXEC, which is what Redis runs for it.
      if (inTransaction === false) {
        all.push({ name: 'multi', args: [], fromScript: false, client });
        transactions.set(client, true);
      }
      all.push({ name, args: rest, fromScript: source.includes('lua'), client });
    }
  });
  if (password) socket.write(`AUTH ${decodeURIComponent(password)}\r\n`);
  socket.write('MONITOR\r\n');
  await monitoring;
  return {
    async seen() {
      const mark = `${prefix}:monitor-mark:${randomId(6)}`;
      await marker.exists(mark);
      await pollUntil(() => all.some((c) => c.args[0] === mark), 10_000, 'the monitor mark');
      return all.filter((c) => !c.args[0]?.startsWith(`${prefix}:monitor-mark:`));
    },
    async stop() {
      socket.destroy();
      marker.disconnect();
    },
  };
}
