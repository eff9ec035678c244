/** Random id helpers for simulators. */
import { randomBytes, randomInt } from 'node:crypto';

/** `n` random lowercase hex characters. */
export function randomHex(n: number): string {
  return randomBytes(Math.ceil(n / 2))
    .toString('hex')
    .slice(0, n);
}

/** `n` random characters from `alphabet`. */
export function randomChars(n: number, alphabet: string): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

/** `n` random alphanumeric characters (both cases). */
export function randomAlnum(n: number): string {
  return randomChars(n, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
}

/** `n` random decimal digits (first one non-zero). */
export function randomDigits(n: number): string {
  return String(randomInt(1, 10)) + randomChars(n - 1, '0123456789');
}
