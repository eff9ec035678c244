import type { AddressPolicy } from '../lib/address-policy';
import { AppError } from '../lib/errors/app-error';
import type { OutboundContent } from '../providers/provider';

/** WhatsApp's kind for a file, by its MIME type (images WhatsApp cannot show go as documents). */
export function mediaKindOf(contentType: string): 'image' | 'video' | 'audio' | 'document' {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'image/jpeg' || type === 'image/png') return 'image';
  if (type === 'video/mp4' || type === 'video/3gpp') return 'video';
  if (type.startsWith('audio/')) return 'audio';
  return 'document';
}

/** Redirects a portal's file link may take to reach the file. */
const MAX_HOPS = 5;

/**
 * An operator's file as WhatsApp media: the portal's public short link (openlines-wire.md §5.1) is
 * followed — fragment dropped, each redirect checked against the address policy like the link
 * itself — to the file's own address and MIME type, which the provider then fetches.
 */
export async function operatorFileContent(
  file: { name: string; link: string },
  addresses: Pick<AddressPolicy, 'refusal'>,
  caption?: string,
): Promise<Extract<OutboundContent, { type: 'media' }>> {
  let link = file.link.split('#')[0] ?? file.link;
  let response: Response | undefined;
  for (let hop = 0; hop <= MAX_HOPS; hop += 1) {
    const refusal = await addresses.refusal(link);
    if (refusal) throw new AppError('file_refused', `the file link is not one the app may fetch: ${refusal}`);
    try {
      response = await fetch(link, { redirect: 'manual', signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      throw new AppError('file_unavailable', `the portal's file did not answer: ${String(error)}`, {
        retryable: true,
        cause: error,
      });
    }
    await response.body?.cancel();
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) break;
    link = new URL(location, link).toString();
    response = undefined;
  }
  if (!response) throw new AppError('file_refused', `the file link redirects more than ${MAX_HOPS} times`);
  if (!response.ok)
    throw new AppError('file_unavailable', `the portal's file answered HTTP ${response.status}`, {
      retryable: response.status >= 500,
    });
  const kind = mediaKindOf(response.headers.get('content-type') ?? '');
  return {
    type: 'media',
    kind,
    link,
    ...(kind === 'document' ? { filename: file.name } : {}),
    ...(caption && kind !== 'audio' ? { caption } : {}),
  };
}
