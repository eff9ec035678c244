import { parseArgs } from 'node:util';

type Flag = { type: 'string' } | { type: 'boolean' };
const flag: Flag = { type: 'string' };
/** A flag without a value (`--refresh`): 'true' in the parsed flags when given. */
const toggle: Flag = { type: 'boolean' };

/** Every command and the flags it takes: anything else is an error naming the flag. */
export const commandFlags = {
  'lines add': {
    portal: flag,
    provider: flag,
    id: flag,
    name: flag,
    rate: flag,
    'phone-number-id': flag,
    'access-token': flag,
    'id-instance': flag,
    'api-token': flag,
    'api-url': flag,
    'webhook-token': flag,
    'waba-id': flag,
    'app-name': flag,
    'api-key': flag,
    source: flag,
  },
  'lines list': { portal: flag },
  'lines health': { portal: flag, line: flag },
  'lines attach': { portal: flag, line: flag, 'open-line': flag, 'relay-taken': flag },
  'lines detach': { portal: flag, line: flag },
  'templates list': { portal: flag, line: flag, refresh: toggle },
  'lines remove': { portal: flag, line: flag },
  'waits list': { portal: flag, phone: flag },
  'waits cancel': { portal: flag },
  'hooks add': { portal: flag, url: flag, events: flag, secret: flag },
  'hooks list': { portal: flag },
  'hooks remove': {},
  'hooks deliveries': {},
  'portals list': {},
  'tokens create': {
    portal: flag,
    line: flag,
    name: flag,
    limit: flag,
    'window-sec': flag,
    'check-phone-per-sec': flag,
  },
  'tokens list': { portal: flag },
  'tokens revoke': {},
  'tokens regenerate': {},
  'portals set': { portal: flag, 'phone-region': flag, 'rest-drain': flag, 'rest-burst': flag },
  'queues move-prefix': { from: flag, to: flag },
} satisfies Record<string, Record<string, Flag>>;

export type CommandName = keyof typeof commandFlags;

export const USAGE = `usage: npm run cli -- <command> [flags]
  ${Object.entries(commandFlags)
    .map(
      ([name, flags]) =>
        `${name}${Object.keys(flags)
          .map((f) => ` [--${f}]`)
          .join('')}`,
    )
    .join('\n  ')}`;

const isCommand = (name: string): name is CommandName => Object.hasOwn(commandFlags, name);

/** A parsed command line: `lines add --portal x …` → command, string flags, positionals. */
export interface CommandLine {
  command: CommandName;
  sub: string;
  flags: Record<string, string>;
  positional: string[];
}

/** Parses argv strictly (node:util parseArgs): an unknown command or flag throws, naming it. */
export function parseCommandLine(argv: string[]): CommandLine {
  const [group = '', sub = '', ...rest] = argv;
  const command = `${group} ${sub}`;
  if (!isCommand(command)) throw new Error(`unknown command "${command.trim()}"\n${USAGE}`);
  const { values, positionals } = parseArgs({
    args: rest,
    options: commandFlags[command],
    strict: true,
    allowPositionals: true,
  });
  const flags: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string') flags[name] = value;
    else if (value === true) flags[name] = 'true';
  }
  return { command, sub, flags, positional: positionals };
}
