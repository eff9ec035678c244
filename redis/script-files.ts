import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Lua scripts by file name; the digit before `.lua` is the KEYS count. */
export const scriptFiles = [
  'line-rate-take-1',
  'line-rate-done-1',
  'rest-bucket-take-1',
  'callback-enqueue-3',
  'callback-indexed-1',
  'callback-move-start-2',
  'callback-moved-2',
  'callback-due-1',
  'callback-claim-2',
  'callback-settle-2',
  'wait-open-3',
  'wait-end-10',
  'wait-update-2',
  'wait-reask-2',
  'wait-alias-2',
  'message-status-1',
  'send-step-claim-3',
  'send-record-5',
  'send-step-release-1',
  'callback-extend-1',
  'period-claim-1',
  'period-release-1',
  'compare-and-set-2',
  'config-version-2',
  'lock-release-1',
  'webhook-seen-1',
  'inbound-seen-claim-1',
  'wait-move-2',
  'hook-emit-3',
  'hook-settle-4',
  'hook-release-1',
  'api-rate-take-2',
  'api-idempotency-claim-2',
  'window-take-1',
  'session-portal-take-2',
  'line-route-claim-1',
  'inbound-append-3',
  'open-line-enqueue-6',
  'open-line-claim-5',
  'open-line-settle-4',
  'open-line-number-2',
  'open-line-attachment-2',
  'inbound-first-read-6',
  'open-line-op-settle-1',
  'open-line-op-pass-1',
  'open-line-extend-2',
  'window-note-2',
  'window-read-5',
  'recent-push-1',
  'field-max-1',
  'hash-field-swap-1',
  'line-write-2',
  'line-health-write-2',
  'check-requeue-claim-1',
  'check-settle-2',
] as const;

export type ScriptName = (typeof scriptFiles)[number];

/** Shared Lua helpers (`lua/lib/`) put before the scripts that use them: one copy of each loop. */
const preludes: Partial<Record<ScriptName, string[]>> = {
  'callback-enqueue-3': ['callback-mark'],
  'wait-open-3': ['wait-index'],
  'wait-end-10': ['wait-index', 'wait-record', 'hook-emit', 'callback-mark'],
  'hook-emit-3': ['hook-emit'],
  'wait-alias-2': ['wait-index', 'wait-record'],
  'wait-move-2': ['wait-index', 'wait-record'],
  'wait-reask-2': ['wait-record'],
  'wait-update-2': ['wait-record'],
  'send-step-claim-3': ['wait-record'],
  'send-record-5': ['wait-index', 'wait-record'],
  'api-rate-take-2': ['window-wait'],
  'window-take-1': ['window-wait'],
  'session-portal-take-2': ['window-wait'],
  'window-note-2': ['window-note'],
  'inbound-first-read-6': ['window-note'],
};

export function loadScript(name: ScriptName): { lua: string; numberOfKeys: number } {
  const numberOfKeys = Number(name.slice(name.lastIndexOf('-') + 1));
  const read = (path: string) => readFileSync(join(__dirname, 'lua', path), 'utf8');
  const libs = (preludes[name] ?? []).map((lib) => read(join('lib', `${lib}.lua`)));
  return { lua: [...libs, read(`${name}.lua`)].join('\n'), numberOfKeys };
}

export const loaded = new Map(scriptFiles.map((name) => [name, loadScript(name)]));
