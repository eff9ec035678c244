/** `disk.file.get` (scope `disk`): a file's fields and a DOWNLOAD_URL signed for the calling token. */

import { type Dict, param, positiveInt } from '../params';
import { RestError } from '../rest-error';
import type { MethodContext, MethodTable } from './method-types';

function diskFileGet(ctx: MethodContext, params: Dict): unknown {
  if (!ctx.state.scope.split(',').includes('disk'))
    throw new RestError(
      'insufficient_scope',
      'The request requires higher privileges than provided by the access token',
      401,
    );
  const id = positiveInt(param(params, 'id'));
  if (id === undefined) throw new RestError('ERROR_ARGUMENT', 'Argument "id" is required', 400);
  const file = ctx.state.diskFiles.get(id);
  if (!file) throw new RestError('ERROR_NOT_FOUND', `Could not find entity with id '${id}'`, 404);
  // As the real portal: `/rest/download.json?auth=<token>&token=disk|…` (bitrix24 disk-file-get docs).
  const url = new URL('/rest/download.json', ctx.state.baseUrl());
  url.searchParams.set('auth', ctx.accessToken);
  url.searchParams.set('token', `disk|${id}|${file.token}`);
  return {
    ID: String(id),
    NAME: file.name,
    CODE: null,
    STORAGE_ID: '1',
    TYPE: 'file',
    PARENT_ID: '1',
    DELETED_TYPE: 0,
    GLOBAL_CONTENT_VERSION: 1,
    FILE_ID: id,
    SIZE: String(file.bytes.length),
    CREATE_TIME: '2026-12-01T10:00:00+03:00',
    UPDATE_TIME: '2026-12-01T10:00:00+03:00',
    DELETE_TIME: null,
    CREATED_BY: '1',
    UPDATED_BY: '1',
    DELETED_BY: null,
    DOWNLOAD_URL: url.toString(),
    DETAIL_URL: `${ctx.state.baseUrl()}/docs/file/${encodeURIComponent(file.name)}`,
  };
}

export const diskMethods: MethodTable = {
  'disk.file.get': diskFileGet,
};
