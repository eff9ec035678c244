/** Bitrix24 portal simulator: public entry point. */
export { createBitrixPortalSimulator, type BitrixPortalSimulator } from './simulator';
export type * from './types';
export type { CreateContactInput, CreateDealInput, CreateItemInput, CreateLeadInput } from './crm-store';
export { dealDocumentId, leadDocumentId, itemDocumentId } from './crm-store';
