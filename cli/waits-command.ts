import type { PortalStore } from '../store/portal-store';
import type { WaitService } from '../waits/wait-service';

export interface WaitsCommandDeps {
  portals: Pick<PortalStore, 'list'>;
  waits: Pick<WaitService, 'store' | 'cancel'>;
}

/** `waits list [--portal] [--phone]` and `waits cancel <id> [--portal]`. Returns text to print. */
export async function runWaitsCommand(
  deps: WaitsCommandDeps,
  sub: string | undefined,
  flags: Record<string, string>,
  positional: string[],
): Promise<string> {
  const { waits } = deps;
  const portals = flags.portal ? [flags.portal] : await deps.portals.list();
  if (sub === 'list') {
    const rows: string[] = [];
    for (const memberId of portals) {
      for (const wait of await waits.store.listOpen(memberId)) {
        if (flags.phone && wait.phone !== flags.phone.replace(/\D/g, '')) continue;
        rows.push(
          [
            memberId,
            wait.id,
            wait.kind,
            wait.purpose,
            wait.lineId,
            `+${wait.phone}`,
            wait.documentId,
            wait.stageAtStart || '-',
            new Date(wait.deadline).toISOString(),
          ].join('\t'),
        );
      }
    }
    return rows.length
      ? ['portal\twait\tkind\tfor\tline\tphone\tdocument\tstage\tdeadline', ...rows].join('\n')
      : 'no open waits';
  }
  if (sub === 'cancel') {
    const waitId = positional[0];
    if (!waitId) throw new Error('usage: waits cancel <wait-id> [--portal <member_id>]');
    for (const memberId of portals) {
      const wait = await waits.store.get(memberId, waitId);
      if (!wait) continue;
      if (wait.status !== 'open') return `wait ${waitId} already ended (${wait.status})`;
      return (await waits.cancel(memberId, waitId, 'manual'))
        ? `wait ${waitId} cancelled; the ${wait.kind} gets status=cancelled`
        : `wait ${waitId} ended meanwhile`;
    }
    throw new Error(`no wait ${waitId}${flags.portal ? ` on portal ${flags.portal}` : ''}`);
  }
  throw new Error(
    'usage: waits list [--portal <member_id>] [--phone <phone>] | waits cancel <wait-id> [--portal <member_id>]',
  );
}
