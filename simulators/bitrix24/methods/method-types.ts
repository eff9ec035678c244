/** Shapes shared by the REST method implementations. */
import type { Dict } from '../params';
import type { PortalState } from '../state';

/** What a method gets besides its parameters. */
export interface MethodContext {
  state: PortalState;
  accessToken: string;
  /** Runs another method (used by `batch`); throws RestError on failure. */
  call: (method: string, params: Dict) => Promise<unknown>;
}

/** A REST method: returns `result` or throws RestError. */
export type MethodHandler = (ctx: MethodContext, params: Dict) => unknown;

/** Method name (lower case) → implementation. */
export type MethodTable = Record<string, MethodHandler>;
