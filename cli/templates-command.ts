import type { LineTemplates } from '../lines/line-templates';
import type { MessageTemplate } from '../providers/message-template';
import type { Line, LineStore } from '../store/line-store';
import type { PortalStore } from '../store/portal-store';

export interface TemplatesCommandDeps {
  portals: Pick<PortalStore, 'list'>;
  lines: Pick<LineStore, 'list'>;
  templates: Pick<LineTemplates, 'list'>;
}

/** The line a `--line` names: on `--portal`, else on whichever portal has it (two portals with it: say so). */
async function findLine(deps: TemplatesCommandDeps, lineId: string, portal: string | undefined): Promise<Line> {
  const portals = portal ? [portal] : await deps.portals.list();
  const found: Line[] = [];
  for (const memberId of portals) found.push(...(await deps.lines.list(memberId)).filter((l) => l.id === lineId));
  const [line, other] = found;
  if (!line)
    throw new Error(`no line ${lineId}${portal ? ` on portal ${portal}` : ''} (see: npm run cli -- lines list)`);
  if (other) throw new Error(`line ${lineId} exists on several portals: add --portal <member_id>`);
  return line;
}

/** One row: name, language, category, status, parameter counts and button kinds. */
function row(t: MessageTemplate): string {
  const header = t.headerFormat === 'TEXT' ? `text(${t.headerParams.length})` : t.headerFormat.toLowerCase();
  const buttons = t.buttons.map((b) => b.kind.toLowerCase() + (b.param ? '+param' : '')).join(',') || '-';
  const params = `header ${header}; body ${t.bodyParams.length}${t.parameterFormat === 'NAMED' ? ` named (${t.bodyParams.join(',')})` : ''}`;
  return [t.name, t.language, t.category, t.status, params, buttons].join('\t');
}

/** `templates list --line <id> [--portal <member_id>] [--refresh]`: the line's templates, from the cache or read anew. */
export async function runTemplatesCommand(
  deps: TemplatesCommandDeps,
  sub: string | undefined,
  flags: Record<string, string>,
): Promise<string> {
  if (sub !== 'list' || !flags.line)
    throw new Error('usage: templates list --line <line-id> [--portal <member_id>] [--refresh]');
  const line = await findLine(deps, flags.line, flags.portal);
  const cached = await deps.templates.list(line, { refresh: flags.refresh === 'true' });
  if (!cached)
    throw new Error(
      `line ${line.id} cannot list templates: ${line.provider === 'cloud' ? 'add its WhatsApp Business Account id (lines add … --waba-id)' : `provider ${line.provider} has no template list`}`,
    );
  const at = new Date(cached.at).toISOString();
  if (!cached.templates.length) return `no templates (read ${at})`;
  const head = 'name\tlanguage\tcategory\tstatus\tparameters\tbuttons';
  return [head, ...cached.templates.map(row), `${cached.templates.length} templates (read ${at})`].join('\n');
}
