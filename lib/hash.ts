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

/** Unguessable id, url-safe. */
export function randomId(bytes = 12): string {
  return randomBytes(bytes).toString('base64url');
}
