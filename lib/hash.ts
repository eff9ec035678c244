import crypto, { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Short stable digest for opaque values used as keys or job ids (never contains ':'). */
export function digest(value: string): string {
  return sha256Hex(value).slice(0, 40);
}

/** crypto.hash (Node 20.12+) is a one-shot without a Hash object: a third of the time for short values. */
const sha256Hex: (value: string) => string =
  typeof crypto.hash === 'function'
    ? (value) => crypto.hash('sha256', value, 'hex')
    : (value) => createHash('sha256').update(value).digest('hex');

/** Constant-time string comparison. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Random bytes are taken from a pool filled 4 KB at a time: one `randomBytes` call per id was a
 * visible share of a worker's CPU per sent message (a getrandom per call; issue 10). The pool's
 * bytes are the same CSPRNG output, each handed out once.
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolAt = 0;

/** Unguessable id, url-safe. */
export function randomId(bytes = 12): string {
  if (bytes > POOL_BYTES) return randomBytes(bytes).toString('base64url');
  if (poolAt + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  const id = pool.toString('base64url', poolAt, poolAt + bytes);
  poolAt += bytes;
  return id;
}
