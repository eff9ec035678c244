/** Token generation: OAuth tokens, workflow ids and signed bizproc event tokens. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { randomAlnum, randomChars, randomDigits } from '../shared/random';

let uniqCounter = 0;

/** A PHP `uniqid('', true)`-style id, e.g. `664fa13bbbb410.99176768`. */
export function uniqid(): string {
  const now = Date.now();
  const sec = Math.floor(now / 1000);
  const usec = ((now % 1000) * 1000 + (uniqCounter++ % 1000)) % 0x100000;
  return (
    sec.toString(16).padStart(8, '0') +
    usec.toString(16).padStart(5, '0') +
    randomDigits(1) +
    '.' +
    randomChars(8, '0123456789')
  );
}

/** A random OAuth token (lowercase alphanumeric, like `ydtj8pho532wydb5ixk78ol7uqlb7sch`). */
export function oauthToken(): string {
  return randomChars(32, 'abcdefghijklmnopqrstuvwxyz0123456789');
}

function sign(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value).digest('hex');
}

/** Builds `{workflow_id}|A#####_#####_#####_#####|{32 alnum}.{hmac}`. */
export function makeEventToken(secret: string, workflowId: string): string {
  const activity = `A${[0, 0, 0, 0].map(() => randomDigits(5)).join('_')}`;
  const value = `${workflowId}|${activity}|${randomAlnum(32)}`;
  return `${value}.${sign(secret, value)}`;
}

/** Checks the signature; returns the workflow id or undefined when the token is not ours. */
export function verifyEventToken(secret: string, token: string): string | undefined {
  const dot = token.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const value = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'utf8');
  const expected = Buffer.from(sign(secret, value), 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const parts = value.split('|');
  return parts.length === 3 ? parts[0] : undefined;
}
