/** WhatsApp Cloud API simulator: public entry point. */
export { type CloudApiSimulator, createCloudApiSimulator } from './simulator';
export type * from './types';
export { makeWamid } from './wamid';
export { asciiJson, signatureOf } from './webhook-sender';
