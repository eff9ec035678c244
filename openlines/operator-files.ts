import type { AddressPolicy } from '../lib/address-policy';
import { AppError } from '../lib/errors/app-error';
import { FollowError, fetchFollowing } from '../lib/fetch-following';
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
  addresses: Pick<AddressPolicy, 'refusal' | 'dispatcher'>,
  caption?: string,
): Promise<Extract<OutboundContent, { type: 'media' }>> {
  const raw = file.link.split('#')[0] ?? file.link;
  // The policy names an unparseable link ('not a URL') like any other refused one.
  if (!URL.canParse(raw))
    throw new AppError('file_refused', `the file link is not one the app may fetch: ${await addresses.refusal(raw)}`);
  const start = new URL(raw);
  let response: Response;
  let link: string;
  try {
    const followed = await fetchFollowing(start, {
      refusal: (url) => addresses.refusal(url),
      dispatcher: addresses.dispatcher,
      maxRedirects: MAX_HOPS,
      hopSignal: () => AbortSignal.timeout(30_000),
    });
    response = followed.response;
    // The link as given when it did not redirect; else where the redirects led.
    link = followed.url === start ? raw : followed.url.toString();
  } catch (error) {
    if (!(error instanceof FollowError)) throw error;
    const f = error.failure;
    if (f.reason === 'refused')
      throw new AppError('file_refused', `the file link is not one the app may fetch: ${f.refusal}`);
    if (f.reason === 'too_many_redirects')
      throw new AppError('file_refused', `the file link redirects more than ${f.max} times`);
    throw new AppError('file_unavailable', `the portal's file did not answer: ${String(f.error)}`, {
      retryable: true,
      cause: f.error,
    });
  }
  // Only the final address and MIME type are needed: the provider fetches the file itself.
  await response.body?.cancel();
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
