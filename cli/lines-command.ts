import { z } from 'zod';
import type { Runtime } from '../runtime/create-runtime';
import { randomId } from '../lib/hash';

const addSchema = z.object({
  portal: z.string().min(1, '--portal <member_id> is required'),
  'phone-number-id': z.string().min(1, '--phone-number-id is required'),
  'access-token': z.string().min(1, '--access-token is required'),
  name: z.string().optional(),
  provider: z.enum(['cloud']).default('cloud'),
  rate: z.coerce.number().int().positive().optional(),
  id: z.string().regex(/^[A-Za-z0-9_-]+$/).optional(),
});

/** `lines add|list|remove`: connect WhatsApp numbers to portals. Returns text to print. */
export async function runLinesCommand(rt: Runtime, sub: string | undefined, flags: Record<string, string>, positional: string[]): Promise<string> {
  if (sub === 'add') {
    const args = addSchema.parse(flags);
    if (!(await rt.portals.get(args.portal))) throw new Error(`portal ${args.portal} is not installed (see: npm run cli -- portals list)`);
    const id = args.id ?? `line-${randomId(4).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
    await rt.lines.add({ id, memberId: args.portal, provider: args.provider, phoneNumberId: args['phone-number-id'], accessToken: args['access-token'], name: args.name ?? args['phone-number-id'], ratePerSec: args.rate, createdAt: Date.now() });
    return `line ${id} added to portal ${args.portal}`;
  }
  if (sub === 'list') {
    const portals = flags.portal ? [flags.portal] : await rt.portals.list();
    const rows: string[] = [];
    for (const memberId of portals) {
      for (const line of await rt.lines.list(memberId)) {
        rows.push(`${memberId}\t${line.id}\t${line.provider}\t${line.phoneNumberId}\t${line.name}\t${line.ratePerSec ?? rt.config.LINE_RATE_PER_SEC}/s`);
      }
    }
    return rows.length ? ['portal\tline\tprovider\tphone_number_id\tname\trate', ...rows].join('\n') : 'no lines';
  }
  if (sub === 'remove') {
    const portal = flags.portal;
    const lineId = positional[0] ?? flags.line;
    if (!portal || !lineId) throw new Error('usage: lines remove <line-id> --portal <member_id>');
    return (await rt.lines.remove(portal, lineId)) ? `line ${lineId} removed` : `no line ${lineId} on portal ${portal}`;
  }
  throw new Error('usage: lines add|list|remove');
}
