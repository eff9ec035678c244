/** WhatsApp message ids: `wamid.` + base64 of the observed protobuf-like layout. */
import { randomBytes } from 'node:crypto';

/** Builds a wamid for a conversation with `userDigits`; `inbound` uses 0x12, business-sent 0x11. */
export function makeWamid(userDigits: string, inbound: boolean): string {
  const phone = Buffer.from(userDigits.replace(/\D/g, ''), 'ascii');
  const hexId = Buffer.from(
    randomBytes(inbound ? 10 : 9)
      .toString('hex')
      .toUpperCase(),
    'ascii',
  );
  const bytes = Buffer.concat([
    Buffer.from([0x1c, 0x18, phone.length]),
    phone,
    Buffer.from([0x15, 0x02, 0x00, inbound ? 0x12 : 0x11, 0x18, hexId.length]),
    hexId,
    Buffer.from([0x00]),
  ]);
  return `wamid.${bytes.toString('base64')}`;
}
