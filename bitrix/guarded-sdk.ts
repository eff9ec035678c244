import { B24OAuth, SdkError } from '@bitrix24/b24jssdk';
import type { Dispatcher } from 'undici';
import {
  type AddressRefusedError,
  addressRefusalIn,
  type GuardedNodeAgents,
  type PoolClosedError,
  poolClosedIn,
} from '../lib/connect-guard';

/** The pools a portal client connects through when the address policy applies at connect time. */
export interface PortalGuard {
  /** undici's, for the app's own `batch` posts. */
  dispatcher: Dispatcher;
  /** Node's, for the SDK's axios. */
  nodeAgents: GuardedNodeAgents;
}

/**
 * The SDK's OAuth client whose axios uses `agents`: the SDK builds its axios in the constructor from
 * `_getHttpOptions()` (null in the SDK), so the agents come from a closure, not an instance field.
 * `proxy: false`: axios would otherwise apply HTTP(S)_PROXY from the environment, tunnelling https
 * through an agent of its own (the guard never runs, the proxy resolves the portal's name) and
 * sending http to the proxy's address (the guard checks the proxy, not the portal). The app's
 * undici requests ignore those variables too, so every portal call goes direct.
 */
export function guardedB24OAuthClass(agents: GuardedNodeAgents): typeof B24OAuth {
  return class GuardedB24OAuth extends B24OAuth {
    protected override _getHttpOptions(): object {
      return { httpAgent: agents.httpAgent, httpsAgent: agents.httpsAgent, proxy: false };
    }
  };
}

/** What `find` finds in an SDK error: the SDK keeps the error it wraps (axios', whose cause is the socket's) as `originalError`. */
function inSdkError<T>(error: unknown, find: (error: unknown) => T | undefined): T | undefined {
  let current = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const found = find(current);
    if (found) return found;
    current = current instanceof SdkError ? current.originalError : undefined;
  }
  return undefined;
}

/** The connect-time refusal inside an SDK error. */
export function sdkAddressRefusal(error: unknown): AddressRefusedError | undefined {
  return inSdkError(error, addressRefusalIn);
}

/** The closed pool inside an SDK error: the process is stopping, nothing was sent. */
export function sdkPoolClosed(error: unknown): PoolClosedError | undefined {
  return inSdkError(error, poolClosedIn);
}
