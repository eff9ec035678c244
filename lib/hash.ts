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
 * Random bytes for ids are taken from a pool filled 4 KB at a time: one `randomBytes` call per id
 * was a visible share of a worker's CPU per sent message (a getrandom per call; issue 10). The
 * pool's bytes are the same CSPRNG output, each handed out once and zeroed once read. Secrets
 * (tokens, hook secrets, signing keys) come from randomSecret instead: they are rare, and their
 * bytes must not sit in a long-lived buffer beside the next ids.
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolAt = 0;

function assertByteCount(bytes: number): void {
  if (!Number.isInteger(bytes) || bytes < 1)
    throw new RangeError(`random byte count must be a positive integer, got ${bytes}`);
}

/** Unguessable id, url-safe (for ids and nonces; a secret is randomSecret's). */
export function randomId(bytes = 12): string {
  assertByteCount(bytes);
  if (bytes > POOL_BYTES) return randomBytes(bytes).toString('base64url');
  if (poolAt + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  const id = pool.toString('base64url', poolAt, poolAt + bytes);
  pool.fill(0, poolAt, poolAt + bytes);
  poolAt += bytes;
  return id;
}

/** An unguessable secret, url-safe, straight from the CSPRNG (never the id pool); its bytes are zeroed after encoding. */
export function randomSecret(bytes = 32): string {
  assertByteCount(bytes);
  const raw = randomBytes(bytes);
  const secret = raw.toString('base64url');
  raw.fill(0);
  return secret;
}
