import { AppError } from '../../lib/errors/app-error';
import { fetchFailure } from '../fetch-failure';

/** A media file a customer sent, as the Cloud API serves it. */
export interface FetchedMedia {
  contentType: string;
  body: ReadableStream<Uint8Array>;
  length?: number;
}

/**
 * Downloads inbound media with the line's token: `GET /{media-id}` names a short-lived URL, which is
 * fetched with the same token (whatsapp-wire.md). The provider's link never leaves the app.
 */
export async function fetchCloudMedia(
  options: { graphUrl: string; version: string; timeoutMs?: number },
  accessToken: string,
  mediaId: string,
): Promise<FetchedMedia> {
  const headers = { authorization: `Bearer ${accessToken}` };
  const signal = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  let meta: Response;
  try {
    meta = await fetch(`${options.graphUrl}/${options.version}/${encodeURIComponent(mediaId)}`, { headers, signal });
  } catch (error) {
    throw fetchFailure(error);
  }
  const json: unknown = await meta.json().catch(() => null);
  const url = json && typeof json === 'object' && 'url' in json && typeof json.url === 'string' ? json.url : null;
  if (!meta.ok || !url) {
    throw new AppError('media_unavailable', `the Cloud API did not name media ${mediaId} (HTTP ${meta.status})`, {
      retryable: meta.status >= 500,
      kind: meta.status >= 500 ? 'unavailable' : 'not_found',
    });
  }
  let file: Response;
  try {
    file = await fetch(url, { headers, signal });
  } catch (error) {
    throw fetchFailure(error);
  }
  if (!file.ok || !file.body)
    throw new AppError('media_unavailable', `media ${mediaId} download failed (HTTP ${file.status})`, {
      retryable: file.status >= 500,
      kind: 'unavailable',
    });
  const length = Number(file.headers.get('content-length'));
  return {
    contentType: file.headers.get('content-type') ?? 'application/octet-stream',
    body: file.body,
    length: Number.isFinite(length) && length > 0 ? length : undefined,
  };
}
