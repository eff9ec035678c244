/** In-memory CRM entities (deals, leads, contacts, smart-process items) and their document ids. */

/** A phone / e-mail multi-field value. */
export interface MultiField {
  id: number;
  valueType: string;
  value: string;
}

/** A deal. */
export interface Deal {
  id: number;
  title: string;
  stageId: string;
  categoryId: number;
  contactId?: number;
  opportunity: number;
  assignedById: number;
}

/** A lead. */
export interface Lead {
  id: number;
  title: string;
  statusId: string;
  name: string;
  lastName: string;
  phones: MultiField[];
  emails: MultiField[];
}

/** A contact. */
export interface Contact {
  id: number;
  name: string;
  lastName: string;
  phones: MultiField[];
  emails: MultiField[];
}

/** A smart-process (dynamic) item. */
export interface DynamicItem {
  id: number;
  entityTypeId: number;
  title: string;
  stageId: string;
  categoryId: number;
  contactId?: number;
}

/** Input of `sim.createDeal`. */
export interface CreateDealInput {
  title?: string;
  stageId?: string;
  categoryId?: number;
  contactId?: number;
  opportunity?: number;
}

/** Input of `sim.createLead`. */
export interface CreateLeadInput {
  title?: string;
  stageId?: string;
  statusId?: string;
  name?: string;
  lastName?: string;
  phones?: Array<{ value: string; valueType?: string }>;
  emails?: Array<{ value: string; valueType?: string }>;
}

/** Input of `sim.createContact`. */
export interface CreateContactInput {
  name: string;
  lastName?: string;
  phones?: Array<{ value: string; valueType?: string }>;
  emails?: Array<{ value: string; valueType?: string }>;
}

/** Input of `sim.createItem`. */
export interface CreateItemInput {
  entityTypeId: number;
  stageId?: string;
  categoryId?: number;
  contactId?: number;
  title?: string;
}

const DYNAMIC_CLASS = 'Bitrix\\Crm\\Integration\\BizProc\\Document\\Dynamic';

/** The CRM data of one portal. */
export class CrmStore {
  readonly deals = new Map<number, Deal>();
  readonly leads = new Map<number, Lead>();
  readonly contacts = new Map<number, Contact>();
  readonly items = new Map<string, DynamicItem>();
  private nextId = { deal: 1, lead: 1, contact: 1, fm: 1 };
  private nextItemId = new Map<number, number>();

  private fm(list: Array<{ value: string; valueType?: string }> | undefined, defaultType: string): MultiField[] {
    return (list ?? []).map((f) => ({ id: this.nextId.fm++, valueType: f.valueType ?? defaultType, value: f.value }));
  }

  /** Creates a deal; a non-default pipeline prefixes the stage with `C{categoryId}:`. */
  createDeal(input: CreateDealInput): number {
    const id = this.nextId.deal++;
    const categoryId = input.categoryId ?? 0;
    let stageId = input.stageId ?? 'NEW';
    if (categoryId > 0 && !stageId.includes(':')) stageId = `C${categoryId}:${stageId}`;
    this.deals.set(id, {
      id,
      title: input.title ?? `Deal #${id}`,
      stageId,
      categoryId,
      contactId: input.contactId,
      opportunity: input.opportunity ?? 0,
      assignedById: 1,
    });
    return id;
  }

  /** Creates a lead. */
  createLead(input: CreateLeadInput): number {
    const id = this.nextId.lead++;
    this.leads.set(id, {
      id,
      title: input.title ?? `Lead #${id}`,
      statusId: input.statusId ?? input.stageId ?? 'NEW',
      name: input.name ?? '',
      lastName: input.lastName ?? '',
      phones: this.fm(input.phones, 'WORK'),
      emails: this.fm(input.emails, 'WORK'),
    });
    return id;
  }

  /** Creates a contact. */
  createContact(input: CreateContactInput): number {
    const id = this.nextId.contact++;
    this.contacts.set(id, {
      id,
      name: input.name,
      lastName: input.lastName ?? '',
      phones: this.fm(input.phones, 'WORK'),
      emails: this.fm(input.emails, 'WORK'),
    });
    return id;
  }

  /** Creates a smart-process item; the default stage is `DT{entityTypeId}_{categoryId}:NEW`. */
  createItem(input: CreateItemInput): number {
    const id = this.nextItemId.get(input.entityTypeId) ?? 1;
    this.nextItemId.set(input.entityTypeId, id + 1);
    const categoryId = input.categoryId ?? 0;
    const stageId = input.stageId ?? `DT${input.entityTypeId}_${categoryId}:NEW`;
    this.items.set(`${input.entityTypeId}:${id}`, {
      id,
      entityTypeId: input.entityTypeId,
      title: input.title ?? `Item #${id}`,
      stageId,
      categoryId,
      contactId: input.contactId,
    });
    return id;
  }

  /** Looks up a smart-process item. */
  item(entityTypeId: number, id: number): DynamicItem | undefined {
    return this.items.get(`${entityTypeId}:${id}`);
  }

  /** True when some item of that smart-process type exists. */
  hasEntityType(entityTypeId: number): boolean {
    return this.nextItemId.has(entityTypeId);
  }

  /** The stage of the document behind a bizproc document id, if it exists. */
  stageOf(documentId: readonly string[]): string | undefined {
    const doc = documentId[2] ?? '';
    let m = /^DEAL_(\d+)$/.exec(doc);
    if (m) return this.deals.get(Number(m[1]))?.stageId;
    m = /^LEAD_(\d+)$/.exec(doc);
    if (m) return this.leads.get(Number(m[1]))?.statusId;
    m = /^DYNAMIC_(\d+)_(\d+)$/.exec(doc);
    if (m) return this.item(Number(m[1]), Number(m[2]))?.stageId;
    return undefined;
  }
}

/** Document id of a deal. */
export function dealDocumentId(id: number): [string, string, string] {
  return ['crm', 'CCrmDocumentDeal', `DEAL_${id}`];
}

/** Document id of a lead. */
export function leadDocumentId(id: number): [string, string, string] {
  return ['crm', 'CCrmDocumentLead', `LEAD_${id}`];
}

/** Document id of a smart-process item. */
export function itemDocumentId(entityTypeId: number, id: number): [string, string, string] {
  return ['crm', DYNAMIC_CLASS, `DYNAMIC_${entityTypeId}_${id}`];
}

/** Document type for a document id (`DEAL_5` → `DEAL`, `DYNAMIC_1032_15` → `DYNAMIC_1032`). */
export function documentTypeOf(documentId: readonly string[]): [string, string, string] {
  return [documentId[0] ?? 'crm', documentId[1] ?? '', (documentId[2] ?? '').replace(/_\d+$/, '')];
}

/** Deal stage semantics: S for won, F for lost, P otherwise. */
export function dealSemantic(stageId: string): string {
  const code = stageId.includes(':') ? stageId.slice(stageId.indexOf(':') + 1) : stageId;
  if (code === 'WON') return 'S';
  if (code === 'LOSE' || code === 'APOLOGY') return 'F';
  return 'P';
}

/** Lead status semantics: S for converted, F for junk, P otherwise. */
export function leadSemantic(statusId: string): string {
  if (statusId === 'CONVERTED') return 'S';
  if (statusId === 'JUNK') return 'F';
  return 'P';
}
