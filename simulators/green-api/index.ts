/** Green-API simulator: public entry point. */
export { createGreenApiSimulator, type GreenApiSimulator } from './simulator';
export type * from './types';
