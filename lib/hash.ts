import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Short stable digest for opaque values used as keys or job ids (never contains ':'). */
export function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 40);
}

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
