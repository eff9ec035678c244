/** CRM read methods: `crm.deal.get`, `crm.lead.get`, `crm.contact.get`, `crm.item.get`. */

import { dealSemantic, leadSemantic, type MultiField } from '../crm-store';
import { type Dict, param, positiveInt } from '../params';
import { RestError, restErrors } from '../rest-error';
import type { MethodContext, MethodTable } from './method-types';

function upperFm(list: MultiField[], typeId: string): Array<Record<string, string>> {
  return list.map((f) => ({ ID: String(f.id), VALUE_TYPE: f.valueType, VALUE: f.value, TYPE_ID: typeId }));
}

function camelFm(phones: MultiField[], emails: MultiField[]): Array<Record<string, unknown>> {
  return [
    ...phones.map((f) => ({ id: f.id, valueType: f.valueType, value: f.value, typeId: 'PHONE' })),
    ...emails.map((f) => ({ id: f.id, valueType: f.valueType, value: f.value, typeId: 'EMAIL' })),
  ];
}

function requireId(params: Dict): number {
  const id = positiveInt(param(params, 'id'));
  if (id === undefined) throw restErrors.crmBadId();
  return id;
}

function dealGet(ctx: MethodContext, params: Dict): unknown {
  const deal = ctx.state.crm.deals.get(requireId(params));
  if (!deal) throw restErrors.crmNotFound();
  return {
    ID: String(deal.id),
    TITLE: deal.title,
    TYPE_ID: 'SALE',
    STAGE_ID: deal.stageId,
    CATEGORY_ID: String(deal.categoryId),
    STAGE_SEMANTIC_ID: dealSemantic(deal.stageId),
    IS_NEW: deal.stageId.endsWith('NEW') ? 'Y' : 'N',
    CURRENCY_ID: 'RUB',
    OPPORTUNITY: deal.opportunity.toFixed(2),
    CONTACT_ID: deal.contactId === undefined ? null : String(deal.contactId),
    COMPANY_ID: '0',
    ASSIGNED_BY_ID: String(deal.assignedById),
    CREATED_BY_ID: '1',
    OPENED: 'Y',
    CLOSED: dealSemantic(deal.stageId) === 'P' ? 'N' : 'Y',
  };
}

function leadGet(ctx: MethodContext, params: Dict): unknown {
  const lead = ctx.state.crm.leads.get(requireId(params));
  if (!lead) throw restErrors.crmNotFound();
  const out: Record<string, unknown> = {
    ID: String(lead.id),
    TITLE: lead.title,
    NAME: lead.name || null,
    LAST_NAME: lead.lastName || null,
    STATUS_ID: lead.statusId,
    STATUS_SEMANTIC_ID: leadSemantic(lead.statusId),
    HAS_PHONE: lead.phones.length ? 'Y' : 'N',
    HAS_EMAIL: lead.emails.length ? 'Y' : 'N',
    ASSIGNED_BY_ID: '1',
    OPENED: 'Y',
  };
  if (lead.phones.length) out.PHONE = upperFm(lead.phones, 'PHONE');
  if (lead.emails.length) out.EMAIL = upperFm(lead.emails, 'EMAIL');
  return out;
}

function contactGet(ctx: MethodContext, params: Dict): unknown {
  const contact = ctx.state.crm.contacts.get(requireId(params));
  if (!contact) throw restErrors.crmNotFound();
  const out: Record<string, unknown> = {
    ID: String(contact.id),
    NAME: contact.name,
    LAST_NAME: contact.lastName || null,
    HAS_PHONE: contact.phones.length ? 'Y' : 'N',
    HAS_EMAIL: contact.emails.length ? 'Y' : 'N',
    ASSIGNED_BY_ID: '1',
  };
  if (contact.phones.length) out.PHONE = upperFm(contact.phones, 'PHONE');
  if (contact.emails.length) out.EMAIL = upperFm(contact.emails, 'EMAIL');
  return out;
}

function itemGet(ctx: MethodContext, params: Dict): unknown {
  const entityTypeId = positiveInt(param(params, 'entityTypeId'));
  const id = positiveInt(param(params, 'id'));
  const notFound = new RestError('NOT_FOUND', 'Element not found', 400);
  if (entityTypeId === undefined || id === undefined) throw notFound;
  const { crm } = ctx.state;
  if (entityTypeId === 2) {
    const d = crm.deals.get(id);
    if (!d) throw notFound;
    return {
      item: {
        id: d.id,
        entityTypeId: 2,
        title: d.title,
        stageId: d.stageId,
        categoryId: d.categoryId,
        contactId: d.contactId ?? null,
        assignedById: d.assignedById,
        opportunity: d.opportunity,
        fm: [],
      },
    };
  }
  if (entityTypeId === 1) {
    const l = crm.leads.get(id);
    if (!l) throw notFound;
    return {
      item: {
        id: l.id,
        entityTypeId: 1,
        title: l.title,
        stageId: l.statusId,
        categoryId: null,
        contactId: null,
        assignedById: 1,
        fm: camelFm(l.phones, l.emails),
      },
    };
  }
  if (entityTypeId === 3) {
    const c = crm.contacts.get(id);
    if (!c) throw notFound;
    return {
      item: {
        id: c.id,
        entityTypeId: 3,
        name: c.name,
        lastName: c.lastName,
        assignedById: 1,
        fm: camelFm(c.phones, c.emails),
      },
    };
  }
  const item = crm.item(entityTypeId, id);
  if (!item) throw notFound;
  return {
    item: {
      id: item.id,
      entityTypeId: item.entityTypeId,
      title: item.title,
      stageId: item.stageId,
      categoryId: item.categoryId,
      contactId: item.contactId ?? null,
      assignedById: 1,
      fm: [],
    },
  };
}

/** CRM read methods. */
export const crmMethods: MethodTable = {
  'crm.deal.get': dealGet,
  'crm.lead.get': leadGet,
  'crm.contact.get': contactGet,
  'crm.item.get': itemGet,
};
