import type { Dispatcher } from 'undici';
import { z } from 'zod';
import type { ByteBudget } from '../lib/byte-budget';
import { ActionError } from '../lib/errors/app-error';
import { errorMessage } from '../lib/errors/classify-error';
import { FollowError, fetchFollowing } from '../lib/fetch-following';
import { say } from '../lib/i18n/catalogue';
import type { Portal } from '../store/portal-store';
import { BitrixError } from './bitrix-error';
import type { PortalClient } from './portal-client';

/**
 * A file downloaded from the portal: its bytes as read (chunks, never joined into a second copy),
 * their size, the first bytes (for type sniffing), its name and the portal's Content-Type.
 */
export interface PortalFile {
  name: string;
  contentType: string | undefined;
  chunks: Uint8Array<ArrayBuffer>[];
  size: number;
  head: Uint8Array;
  /** Gives the file's share of the byte budget back: call once its bytes are dropped. */
  release: () => void;
}

export interface PortalFileDeps {
  bitrix: Pick<PortalClient, 'call'>;
  portal: Pick<Portal, 'clientEndpoint' | 'accessToken'>;
  /** Why a URL must not be fetched (the address policy), checked on every redirect hop. */
  refusal: (url: string) => Promise<string | undefined>;
  /** The pool that applies the policy again when connecting (lib/connect-guard.ts). */
  dispatcher: Dispatcher | undefined;
  /** The process-wide cap on portal-file bytes held at once (a download's limit is reserved). */
  budget: Pick<ByteBudget, 'take'>;
  /** A download stops (file_too_large) past this many bytes, known once the name and type are. */
  maxBytesOf: (name: string, contentType: string | undefined) => number;
  timeoutMs?: number;
}

const diskFileSchema = z.object({ NAME: z.string(), DOWNLOAD_URL: z.url() }).loose();

/** `filename*=utf-8''…` or `filename="…"` of a Content-Disposition header. */
function dispositionName(header: string | null): string | undefined {
  if (!header) return undefined;
  const star = /filename\*=(?:utf-8|UTF-8)''([^;]+)/.exec(header)?.[1];
  if (star) return decodeURIComponent(star.trim());
  return /filename="?([^";]+)"?/.exec(header)?.[1]?.trim();
}

/** A download past the largest file WhatsApp takes. */
function tooLarge(name: string, max: number): ActionError {
  const limit = `${Math.round(max / 2 ** 20)} MB`;
  return new ActionError('file_too_large', `"${name}" is larger than ${limit}`, {
    says: say('wabaMedia.fileTooLarge', { name, size: `> ${limit}`, what: 'a file', max: limit }),
  });
}

/** A download that failed, naming the file and why. */
function downloadFailed(name: string, reason: string, retryable = false): ActionError {
  return new ActionError('file_download_failed', `"${name}": ${reason}`, {
    retryable,
    says: say('wabaMedia.fileDownloadFailed', { name, reason }),
  });
}

/** Bytes kept apart for sniffing a file's type (WebP flags, the Ogg codec). */
const HEAD_BYTES = 256;

/** Reads a body up to `max` bytes as its chunks; more stops the download (file_too_large, naming the file). */
async function readCapped(
  response: Response,
  max: number,
  name: string,
): Promise<Pick<PortalFile, 'chunks' | 'size' | 'head'>> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    await response.body?.cancel();
    throw tooLarge(name, max);
  }
  const reader = response.body?.getReader();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let size = 0;
  for (;;) {
    const chunk = reader ? await reader.read() : { done: true as const, value: undefined };
    if (chunk.done) break;
    size += chunk.value.length;
    if (size > max) {
      await reader?.cancel();
      throw tooLarge(name, max);
    }
    // A chunk of fetch's body owns a plain ArrayBuffer (never a shared one).
    chunks.push(chunk.value as Uint8Array<ArrayBuffer>);
  }
  const head = new Uint8Array(Math.min(size, HEAD_BYTES));
  let at = 0;
  for (const c of chunks) {
    if (at >= head.length) break;
    const part = c.subarray(0, head.length - at);
    head.set(part, at);
    at += part.length;
  }
  return { chunks, size, head };
}

/** Where a portal file comes from: a Disk file id (`disk.file.get`), or a `file` property's value. */
export type PortalFileSource = { diskFileId: string } | { fileValue: string };

/** A Disk file's signed DOWNLOAD_URL and name (`disk.file.get`, scope disk). */
async function diskFileUrl(deps: PortalFileDeps, id: string): Promise<{ url: URL; name: string }> {
  if (!/^\d+$/.test(id))
    throw new ActionError('invalid_property', `disk_file_ids: "${id}" is not a Disk file id`, {
      says: say('wabaMedia.notDiskFileId', { value: id }),
    });
  try {
    const file = diskFileSchema.parse(await deps.bitrix.call('disk.file.get', { id }));
    return { url: new URL(file.DOWNLOAD_URL), name: file.NAME };
  } catch (error) {
    if (error instanceof BitrixError && !error.retryable)
      throw new ActionError('file_download_failed', `Disk file ${id}: ${error.description || error.code}`, {
        says: say('wabaMedia.fileNotFound', { id, reason: error.description || error.code }),
      });
    throw error;
  }
}

/**
 * A `file` property's value as a download link with our token. The designer sends the internal
 * `b_file` id (another id space than Disk, and no REST method downloads it), or in the 'rest'
 * context a portal download link (portal-ui-wire.md §5): a bare number is refused, never taken for
 * a Disk id (that would send another, unrelated file).
 */
function fileValueUrl(deps: PortalFileDeps, value: string): { url: URL; name: string } {
  if (/^\d+$/.test(value))
    throw new ActionError('invalid_property', `file: ${value} is an internal file id, which REST cannot download`, {
      says: say('wabaMedia.internalFileId', { value }),
    });
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ActionError('invalid_property', `file: "${value}" is not a portal link`, {
      says: say('wabaMedia.notPortalFile', { value }),
    });
  }
  url.searchParams.set('auth', deps.portal.accessToken);
  return { url, name: decodeURIComponent(url.pathname.split('/').pop() ?? '') || 'file' };
}

/** Redirect hops a portal download may take (the portal's own download endpoint redirects once at most). */
const MAX_REDIRECTS = 3;

/**
 * Fetches a portal file through `fetchFollowing`; only hops on the portal's origin carry our token
 * (a Location need not repeat it; anywhere else it must not go).
 */
async function fetchPortalFile(
  deps: PortalFileDeps,
  first: URL,
  portalOrigin: string,
  name: string,
): Promise<Response> {
  const signal = AbortSignal.timeout(deps.timeoutMs ?? 120_000);
  try {
    const { response } = await fetchFollowing(first, {
      refusal: deps.refusal,
      dispatcher: deps.dispatcher,
      maxRedirects: MAX_REDIRECTS,
      hopSignal: () => signal,
      nextHop: (url) => {
        if (url.origin === portalOrigin) url.searchParams.set('auth', deps.portal.accessToken);
        else url.searchParams.delete('auth');
      },
    });
    return response;
  } catch (error) {
    if (!(error instanceof FollowError)) throw error;
    const f = error.failure;
    if (f.reason === 'refused') throw downloadFailed(name, `address refused: ${f.url.origin}: ${f.refusal}`);
    if (f.reason === 'too_many_redirects') throw downloadFailed(name, `more than ${f.max} redirects`);
    throw downloadFailed(name, errorMessage(f.error), true);
  }
}

/**
 * Downloads a portal file with the app's own auth: a Disk file (its DOWNLOAD_URL is signed for our
 * token), or a `file` property's download link on the portal itself, with our token added.
 * Nothing outside the portal is fetched this way.
 */
export async function downloadPortalFile(deps: PortalFileDeps, source: PortalFileSource): Promise<PortalFile> {
  const portalOrigin = new URL(deps.portal.clientEndpoint).origin;
  const isDisk = 'diskFileId' in source;
  const { url, name } = isDisk ? await diskFileUrl(deps, source.diskFileId) : fileValueUrl(deps, source.fileValue);
  if (url.origin !== portalOrigin)
    throw new ActionError('file_download_failed', `"${name}": the link is not on the portal (${url.origin})`, {
      says: say('wabaMedia.linkNotOnPortal', { name, origin: url.origin }),
    });
  const response = await fetchPortalFile(deps, url, portalOrigin, name);
  if (!response.ok) {
    await response.body?.cancel();
    throw downloadFailed(name, `HTTP ${response.status}`, response.status >= 500);
  }
  const finalName = isDisk ? name : (dispositionName(response.headers.get('content-disposition')) ?? name);
  const contentType = response.headers.get('content-type') ?? undefined;
  const max = deps.maxBytesOf(finalName, contentType);
  const release = await deps.budget.take(max);
  try {
    return { name: finalName, contentType, ...(await readCapped(response, max, finalName)), release };
  } catch (error) {
    release();
    throw error;
  }
}
