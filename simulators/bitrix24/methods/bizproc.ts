/** `bizproc.robot.*` and `bizproc.activity.*` registration methods. */

import { asDict, type Dict, upperKeys } from '../params';
import { RestError, restErrors } from '../rest-error';
import type { ActivityKind } from '../types';
import { buildRegistration, checkCode } from './bizproc-validate';
import type { MethodContext, MethodTable } from './method-types';

const notFound = () => new RestError('ERROR_ACTIVITY_NOT_FOUND', 'Activity or Robot not found!', 400);

function add(kind: ActivityKind) {
  return (ctx: MethodContext, params: Dict): unknown => {
    const fields = upperKeys(params);
    delete fields.AUTH;
    const reg = buildRegistration(kind, fields);
    if (ctx.state.registrations.has(reg.code)) {
      throw new RestError('ERROR_ACTIVITY_ALREADY_INSTALLED', 'Activity or Robot already installed!', 400);
    }
    ctx.state.registrations.set(reg.code, reg);
    return true;
  };
}

function update(kind: ActivityKind) {
  return (ctx: MethodContext, params: Dict): unknown => {
    const top = upperKeys(params);
    const code = checkCode(top.CODE);
    const existing = ctx.state.registrations.get(code);
    if (!existing || existing.kind !== kind) throw notFound();
    const fieldsRaw = asDict(top.FIELDS);
    if (!fieldsRaw || Object.keys(fieldsRaw).length === 0) throw restErrors.validation('No fields to update');
    const fields = upperKeys(fieldsRaw);
    delete fields.CODE;
    const merged = { ...existing.fields, ...fields, CODE: code };
    ctx.state.registrations.set(code, buildRegistration(kind, merged));
    return true;
  };
}

function remove(kind: ActivityKind) {
  return (ctx: MethodContext, params: Dict): unknown => {
    const top = upperKeys(params);
    const code = checkCode(top.CODE);
    const existing = ctx.state.registrations.get(code);
    if (!existing || existing.kind !== kind) throw notFound();
    ctx.state.registrations.delete(code);
    return true;
  };
}

function list(kind: ActivityKind) {
  return (ctx: MethodContext): unknown =>
    [...ctx.state.registrations.values()].filter((r) => r.kind === kind).map((r) => r.code);
}

/** Robot and activity registration methods. */
export const bizprocMethods: MethodTable = {
  'bizproc.robot.add': add('robot'),
  'bizproc.robot.update': update('robot'),
  'bizproc.robot.delete': remove('robot'),
  'bizproc.robot.list': list('robot'),
  'bizproc.activity.add': add('activity'),
  'bizproc.activity.update': update('activity'),
  'bizproc.activity.delete': remove('activity'),
  'bizproc.activity.list': list('activity'),
};
