/** `event.bind`, `event.unbind`, `event.get`. */

import { type Dict, param, str } from '../params';
import { RestError } from '../rest-error';
import { checkHandlerUrl } from './bizproc-validate';
import type { MethodContext, MethodTable } from './method-types';

function eventName(params: Dict): string {
  const name = str(param(params, 'event')).trim().toUpperCase();
  if (!name) throw new RestError('ERROR_ARGUMENT', "Argument 'EVENT' is null or empty", 400);
  if (!name.startsWith('ON')) throw new RestError('ERROR_EVENT_NOT_FOUND', 'Event not found', 400);
  return name;
}

function bind(ctx: MethodContext, params: Dict): unknown {
  const event = eventName(params);
  const offline = str(param(params, 'event_type')).toLowerCase() === 'offline';
  const handler = str(param(params, 'handler'));
  if (!offline) {
    if (!handler) throw new RestError('ERROR_ARGUMENT', "Argument 'HANDLER' is null or empty", 400);
    checkHandlerUrl(handler);
  }
  const authType = Number.parseInt(str(param(params, 'auth_type')), 10) || 0;
  const dup = ctx.state.bindings.some((b) => b.event === event && b.handler === handler && b.offline === offline);
  if (dup) throw new RestError('ERROR_CORE', 'Handler already binded', 400);
  ctx.state.bindings.push({ id: ctx.state.nextBindingId++, event, handler, authType, offline });
  return true;
}

function unbind(ctx: MethodContext, params: Dict): unknown {
  const event = eventName(params);
  const offline = str(param(params, 'event_type')).toLowerCase() === 'offline';
  const handler = str(param(params, 'handler'));
  const before = ctx.state.bindings.length;
  ctx.state.bindings = ctx.state.bindings.filter(
    (b) => !(b.event === event && b.offline === offline && (offline || b.handler === handler)),
  );
  return { count: before - ctx.state.bindings.length };
}

function get(ctx: MethodContext): unknown {
  return ctx.state.bindings.map((b) => ({
    event: b.event,
    handler: b.handler,
    auth_type: String(b.authType),
    offline: b.offline ? 1 : 0,
  }));
}

/** Event binding methods. */
export const eventMethods: MethodTable = {
  'event.bind': bind,
  'event.unbind': unbind,
  'event.get': get,
};
