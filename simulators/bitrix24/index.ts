/** Bitrix24 portal simulator: public entry point. */

export type { OpenPageOptions, PageOpening } from './app-page';
export type { CreateContactInput, CreateDealInput, CreateItemInput, CreateLeadInput } from './crm-store';
export { dealDocumentId, itemDocumentId, leadDocumentId } from './crm-store';
export { type BitrixPortalSimulator, createBitrixPortalSimulator } from './simulator';
export type { SimUser } from './state';
export type * from './types';
