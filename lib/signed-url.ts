import { createHmac, timingSafeEqual } from 'node:crypto';

/** Signs app paths for a limited time (HMAC-SHA256 over path and expiry): links Bitrix24 may fetch without auth. */
export interface PathSigner {
  /** `path?exp=<unix s>&sig=<hmac>` valid until `now + ttlSec` (default the signer's). */
  sign(path: string, nowMs: number, ttlSec?: number): string;
  /** True when `sig` is this signer's for `path` and `exp`, and `exp` has not passed. */
  verify(path: string, exp: string, sig: string, nowMs: number): boolean;
}

/** A signer under `key`; `defaultTtlSec` is how long a link lives unless told (an hour). */
export function createPathSigner(key: Buffer, defaultTtlSec = 3600): PathSigner {
  const mac = (path: string, exp: string) => createHmac('sha256', key).update(`${path}\n${exp}`).digest();
  return {
    sign(path, nowMs, ttlSec = defaultTtlSec) {
      const exp = String(Math.floor(nowMs / 1000) + ttlSec);
      return `${path}?exp=${exp}&sig=${mac(path, exp).toString('base64url')}`;
    },
    verify(path, exp, sig, nowMs) {
      if (!/^[0-9]{1,12}$/.test(exp) || Number(exp) * 1000 <= nowMs) return false;
      const given = Buffer.from(sig, 'base64url');
      const expected = mac(path, exp);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
