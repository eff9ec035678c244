/**
 * Every kind of malformed body, on every door, each with the answer it must get. Every body
 * carries planted secrets (Bitrix24 tokens, a Green-API bearer token, a Graph token), so the same
 * table shows both the 4xx and that no secret reaches a log.
 */
import { gzipSync } from 'node:zlib';
import { endpoints, greenApiWebhookPath } from '../../config/endpoints';
import { type RawPost, signBytes } from './raw-http';

/** Planted in every case; none may appear in any log line. */
export const SECRETS = {
  accessToken: 'SECRET-AT-123',
  refreshToken: 'SECRET-RT-456',
  applicationToken: 'SECRET-APP-789',
  greenBearer: 'SECRET-GREEN-BEARER-1011',
  graphToken: 'SECRET-GRAPH-1213',
} as const;

export type Door = 'robot' | 'install' | 'events' | 'whatsapp' | 'green-api';

export interface BadInputCase extends RawPost {
  name: string;
  door: Door;
  path: string;
  status: number;
  error: string;
}

const MB = 1024 * 1024;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'content-type': 'application/json' };

/** A form's auth block with the planted tokens. */
const authForm = (memberId: string): string =>
  `auth[member_id]=${memberId}&auth[access_token]=${SECRETS.accessToken}` +
  `&auth[refresh_token]=${SECRETS.refreshToken}&auth[application_token]=${SECRETS.applicationToken}`;
const authJson = (memberId: string) => ({
  member_id: memberId,
  access_token: SECRETS.accessToken,
  refresh_token: SECRETS.refreshToken,
  application_token: SECRETS.applicationToken,
});

const nestedKey = (levels: number): string => `properties${'[x]'.repeat(levels)}=1`;
const nestedJson = (levels: number): string => `${'['.repeat(levels)}"${SECRETS.accessToken}"${']'.repeat(levels)}`;
const manyFields = (count: number): string => Array.from({ length: count }, (_, i) => `p${i}=1`).join('&');
const bytes = (...parts: Array<string | number[]>): Buffer => Buffer.concat(parts.map((p) => Buffer.from(p)));

type Make = (
  name: string,
  headers: Record<string, string>,
  body: Buffer | string,
  status: number,
  error: string,
) => BadInputCase;

/** A case builder for one door. */
const casesFor =
  (door: Door, path: string): Make =>
  (name, headers, body, status, error) => ({ name, door, path, headers, body, status, error });

/** The cases every Bitrix24 door (forms, JSON too) shares. */
function formDoorCases(door: Door, path: string, memberId: string): BadInputCase[] {
  const c = casesFor(door, path);
  const auth = authForm(memberId);
  return [
    c('form of 10 MB', FORM, `${auth}&properties[text]=${'x'.repeat(10 * MB)}`, 413, 'payload_too_large'),
    c('keys nested 40 deep', FORM, `${auth}&${nestedKey(40)}`, 400, 'bad_form'),
    c('25,000 fields', FORM, `${auth}&${manyFields(25_000)}`, 400, 'bad_form'),
    c('percent-encoded invalid UTF-8 (%C3%28)', FORM, `${auth}&properties[text]=%C3%28`, 400, 'bad_encoding'),
    c(
      'JSON syntax error that quotes a token',
      JSON_TYPE,
      `{"auth":{"access_token":${SECRETS.accessToken}}}`,
      400,
      'bad_json',
    ),
    c('text/plain body', { 'content-type': 'text/plain' }, auth, 415, 'unsupported_media_type'),
  ];
}

/** The robot door gets every variant; the other form doors the shared set. */
function robotCases(memberId: string): BadInputCase[] {
  const c = casesFor('robot', endpoints.robot);
  const auth = authForm(memberId);
  const text = (value: string) => `${auth}&properties[text]=${value}`;
  const json = JSON.stringify({ auth: authJson(memberId) });
  const bigJson = JSON.stringify({ auth: authJson(memberId), pad: 'x'.repeat(10 * MB) });
  const gzip = { ...FORM, 'content-encoding': 'gzip' };
  return [
    ...formDoorCases('robot', endpoints.robot, memberId),
    c('form just over 2 MB', FORM, text('x'.repeat(2 * MB)), 413, 'payload_too_large'),
    c('JSON of 10 MB', JSON_TYPE, bigJson, 413, 'payload_too_large'),
    {
      ...c('chunked form over 2 MB (no length)', FORM, text('x'.repeat(3 * MB)), 413, 'payload_too_large'),
      chunked: true,
    },
    c('gzip form inflating past 2 MB', gzip, gzipSync(text('a'.repeat(10 * MB))), 413, 'payload_too_large'),
    c('keys nested 9 deep (one past the limit)', FORM, `${auth}&${nestedKey(9)}`, 400, 'bad_form'),
    // The auth block is 4 fields.
    c('20,001 fields (one past the limit)', FORM, `${auth}&${manyFields(20_000 - 3)}`, 400, 'bad_form'),
    c('raw byte 0xFF in a value', FORM, bytes(text('a'), [0xff]), 400, 'bad_encoding'),
    c('overlong encoding (%C0%AF)', FORM, text('%C0%AF'), 400, 'bad_encoding'),
    c('encoded surrogate (%ED%A0%80)', FORM, text('%ED%A0%80'), 400, 'bad_encoding'),
    c('sequence cut short (%E2%82)', FORM, text('%E2%82&x=1'), 400, 'bad_encoding'),
    c('raw é then a stray encoded continuation (%A9)', FORM, text('é%A9'), 400, 'bad_encoding'),
    c('invalid UTF-8 in a key (%FF)', FORM, `${auth}&properties[%FF]=1`, 400, 'bad_encoding'),
    c('JSON cut short', JSON_TYPE, json.slice(0, -3), 400, 'bad_json'),
    c('JSON scalar (not an object)', JSON_TYPE, `"${SECRETS.accessToken}"`, 400, 'bad_json'),
    // Its parser message names a network error: once read as "Redis is down" (503).
    c(
      'JSON syntax error reading ECONNRESET',
      JSON_TYPE,
      `{"auth":ECONNRESET,"t":"${SECRETS.accessToken}"}`,
      400,
      'bad_json',
    ),
    c('JSON with raw byte 0xFE', JSON_TYPE, bytes(json.slice(0, -1), ',"x":"', [0xfe], '"}'), 400, 'bad_encoding'),
    c('JSON nested 40 deep', JSON_TYPE, nestedJson(40), 400, 'bad_json'),
    c(
      'JSON declared UTF-16',
      { 'content-type': 'application/json; charset=utf-16' },
      json,
      415,
      'unsupported_media_type',
    ),
    c(
      'multipart body',
      { 'content-type': 'multipart/form-data; boundary=x' },
      `--x\r\n${auth}\r\n--x--`,
      415,
      'unsupported_media_type',
    ),
    c('no Content-Type', {}, auth, 415, 'unsupported_media_type'),
    c(
      'form declared koi8-r',
      { 'content-type': `${FORM['content-type']}; charset=koi8-r` },
      auth,
      415,
      'unsupported_media_type',
    ),
    c('Content-Encoding: compress', { ...FORM, 'content-encoding': 'compress' }, auth, 415, 'unsupported_media_type'),
    c('corrupt gzip', gzip, auth, 400, 'bad_request'),
  ];
}

/** Meta's webhook: every body signed with the app secret, so the body itself is what is tested. */
function whatsappCases(appSecret: string): BadInputCase[] {
  const unsigned = casesFor('whatsapp', endpoints.whatsappWebhook);
  const c: Make = (name, headers, body, status, error) =>
    unsigned(name, { ...headers, 'x-hub-signature-256': signBytes(appSecret, body) }, body, status, error);
  const secretJson = JSON.stringify({ object: 'whatsapp_business_account', access_token: SECRETS.graphToken });
  const notEnvelope = JSON.stringify({ object: 1, access_token: SECRETS.graphToken });
  return [
    c(
      'body of 10 MB',
      JSON_TYPE,
      `{"access_token":"${SECRETS.graphToken}","pad":"${'x'.repeat(10 * MB)}"}`,
      413,
      'payload_too_large',
    ),
    c('JSON syntax error', JSON_TYPE, `{"access_token":${SECRETS.graphToken}}`, 400, 'bad_json'),
    c('invalid UTF-8', JSON_TYPE, bytes(secretJson.slice(0, -1), ',"x":"', [0xff], '"}'), 400, 'bad_encoding'),
    c('text/plain', { 'content-type': 'text/plain' }, secretJson, 415, 'unsupported_media_type'),
    c('JSON nested 40 deep', JSON_TYPE, nestedJson(40), 400, 'bad_json'),
    c('JSON that is not an envelope', JSON_TYPE, notEnvelope, 400, 'bad_request'),
    c(
      'Content-Encoding: compress',
      { ...JSON_TYPE, 'content-encoding': 'compress' },
      secretJson,
      415,
      'unsupported_media_type',
    ),
  ];
}

/** Green-API's per-line webhook: JSON only, the planted bearer token on every call. */
function greenApiCases(lineId: string): BadInputCase[] {
  const plain = casesFor('green-api', greenApiWebhookPath(lineId));
  const c: Make = (name, headers, body, status, error) =>
    plain(name, { ...headers, authorization: `Bearer ${SECRETS.greenBearer}` }, body, status, error);
  const hook = JSON.stringify({ typeWebhook: 'incomingMessageReceived', apiTokenInstance: SECRETS.greenBearer });
  const big = `{"apiTokenInstance":"${SECRETS.greenBearer}","pad":"${'x'.repeat(10 * MB)}"}`;
  return [
    c('JSON of 10 MB', JSON_TYPE, big, 413, 'payload_too_large'),
    c('JSON syntax error', JSON_TYPE, `{"apiTokenInstance":${SECRETS.greenBearer}}`, 400, 'bad_json'),
    c('invalid UTF-8', JSON_TYPE, bytes(hook.slice(0, -1), ',"x":"', [0xc3, 0x28], '"}'), 400, 'bad_encoding'),
    c('form body', FORM, `apiTokenInstance=${SECRETS.greenBearer}`, 415, 'unsupported_media_type'),
    c(
      'JSON declared latin1',
      { 'content-type': 'application/json; charset=latin1' },
      hook,
      415,
      'unsupported_media_type',
    ),
    c('JSON nested 40 deep', JSON_TYPE, nestedJson(40), 400, 'bad_json'),
    c('no Content-Type', {}, hook, 415, 'unsupported_media_type'),
    c('JSON that is not a notification', JSON_TYPE, hook, 400, 'bad_request'),
  ];
}

/** The whole table for an app whose Meta app secret is `appSecret`. */
export function badInputCases(ctx: { appSecret: string; memberId: string; greenLineId: string }): BadInputCase[] {
  return [
    ...robotCases(ctx.memberId),
    ...formDoorCases('install', endpoints.install, ctx.memberId),
    ...formDoorCases('events', endpoints.events, ctx.memberId),
    ...whatsappCases(ctx.appSecret),
    ...greenApiCases(ctx.greenLineId),
  ];
}
