/** Bitrix24 portal simulator: public entry point. */

export type { CreateContactInput, CreateDealInput, CreateItemInput, CreateLeadInput } from './crm-store';
export { dealDocumentId, itemDocumentId, leadDocumentId } from './crm-store';
export { type BitrixPortalSimulator, createBitrixPortalSimulator } from './simulator';
export type * from './types';
