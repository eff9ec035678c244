/** GupShup gateway simulator: public entry point. */
export { createGupshupSimulator, type GupshupSimulator } from './simulator';
export type * from './types';
