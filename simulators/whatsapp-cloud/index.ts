/** WhatsApp Cloud API simulator: public entry point. */
export { createCloudApiSimulator, type CloudApiSimulator } from './simulator';
export type * from './types';
export { asciiJson, signatureOf } from './webhook-sender';
export { makeWamid } from './wamid';
