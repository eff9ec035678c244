/** WhatsApp message ids: `wamid.` + base64 of the observed protobuf-like layout. */
import { randomBytes } from 'node:crypto';

/**
 * Random bytes drawn 4 KB at a time: one `randomBytes` call (and its buffers) per id was a
 * visible share of the simulator's CPU per send in the bench (issue 10). Same source, same bytes.
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = 0;

function randomHexUpper(bytes: number): string {
  if (used + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    used = 0;
  }
  const hex = pool.toString('hex', used, used + bytes).toUpperCase();
  used += bytes;
  return hex;
}

/** Builds a wamid for a conversation with `userDigits`; `inbound` uses 0x12, business-sent 0x11. */
export function makeWamid(userDigits: string, inbound: boolean): string {
  const phone = userDigits.replace(/\D/g, '');
  const hexId = randomHexUpper(inbound ? 10 : 9);
  // 0x1c 0x18 len phone 0x15 0x02 0x00 dir 0x18 len hexId 0x00, every character one ASCII byte.
  const bytes = Buffer.allocUnsafe(3 + phone.length + 6 + hexId.length + 1);
  let at = bytes.writeUInt8(0x1c, 0);
  at = bytes.writeUInt8(0x18, at);
  at = bytes.writeUInt8(phone.length & 0xff, at);
  at += bytes.write(phone, at, 'ascii');
  for (const b of [0x15, 0x02, 0x00, inbound ? 0x12 : 0x11, 0x18, hexId.length]) at = bytes.writeUInt8(b, at);
  at += bytes.write(hexId, at, 'ascii');
  bytes.writeUInt8(0x00, at);
  return `wamid.${bytes.toString('base64')}`;
}
