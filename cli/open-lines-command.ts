import { z } from 'zod';
import { type AttachLineDeps, attachLine, detachLine } from '../openlines/attach-line';

const attachSchema = z.object({
  portal: z.string().min(1, '--portal <member_id> is required'),
  'open-line': z.string().regex(/^[1-9][0-9]*$/, '--open-line <LINE_ID> (a number) is required'),
  'relay-taken': z.enum(['yes', 'no']).optional(),
});

/**
 * `lines attach <line-id> --portal <member_id> --open-line <LINE_ID> [--relay-taken yes|no]` and
 * `lines detach <line-id> --portal <member_id>`: a WhatsApp line serves a Bitrix24 open line.
 */
export async function runOpenLinesCommand(
  deps: AttachLineDeps,
  sub: 'attach' | 'detach',
  flags: Record<string, string>,
  positional: string[],
): Promise<string> {
  const lineId = positional[0] ?? flags.line;
  if (sub === 'attach') {
    if (!lineId) throw new Error('usage: lines attach <line-id> --portal <member_id> --open-line <LINE_ID>');
    const args = attachSchema.parse(flags);
    const relayTaken = args['relay-taken'] === undefined ? undefined : args['relay-taken'] === 'yes';
    const attached = await attachLine(deps, args.portal, lineId, args['open-line'], { relayTaken });
    const taken = attached.relayTaken ? '; messages robots took are shown too' : '';
    return `line ${lineId} serves open line ${attached.openLineId} on portal ${args.portal}${taken}`;
  }
  const portal = flags.portal;
  if (!portal || !lineId) throw new Error('usage: lines detach <line-id> --portal <member_id>');
  const detached = await detachLine(deps, portal, lineId);
  return detached
    ? `line ${lineId} detached from open line ${detached.openLineId}`
    : `line ${lineId} serves no open line`;
}
