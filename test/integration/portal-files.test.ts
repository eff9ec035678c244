import { createRegisteredHarness, type Harness, LINE } from '../helpers/harness';
import { CUSTOMER } from '../helpers/waits';

const KB = 1024;
/** A WebP header: RIFF…WEBPVP8X with the animation flag (bit 1 of byte 20) set or not. */
function webp(size: number, animated = false): Buffer {
  const b = Buffer.alloc(size);
  b.write('RIFF\0\0\0\0WEBPVP8X', 0, 'latin1');
  b[20] = animated ? 0x02 : 0;
  return b;
}

// Files from the portal (the robot's `file` property): downloaded with the app's auth, checked as
// WhatsApp would, uploaded to the Cloud API's media endpoint and sent by id; links keep going by link.
describe('robot files from the portal and by link', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createRegisteredHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function run(properties: Record<string, string | string[]>, fileContext?: 'core' | 'rest') {
    const sent = h.whatsapp.sent().length;
    const uploaded = h.whatsapp.uploadedMedia().length;
    const documentId: [string, string, string] = [
      'crm',
      'CCrmDocumentDeal',
      `DEAL_${h.portal.createDeal({ stageId: 'NEW' })}`,
    ];
    const { run: started } = await h.portal.runRobot({
      code: 'wa_send_file',
      documentId,
      properties: { phone: CUSTOMER, ...properties },
      fileContext,
    });
    const done = await h.portal.waitForRun(started.eventToken, 20_000);
    return {
      values: done.returnValues ?? {},
      log: done.logMessage ?? '',
      sent: h.whatsapp.sent().slice(sent),
      uploaded: h.whatsapp.uploadedMedia().slice(uploaded),
    };
  }

  it('a Disk file (disk_file_ids) is downloaded from the portal, uploaded to /media and sent by id, with its name and caption', async () => {
    const pdf = Buffer.from('%PDF-1.4 invoice');
    const id = h.portal.addDiskFile({ name: 'Счёт 17.pdf', bytes: pdf, mimeType: 'application/pdf' });
    const r = await run({ disk_file_ids: [String(id)], caption: 'Ваш счёт' });
    expect(r.values).toMatchObject({ status: 'sent' });
    expect(r.uploaded).toEqual([
      expect.objectContaining({
        phoneNumberId: LINE.phoneNumberId,
        mimeType: 'application/pdf',
        filename: 'Счёт 17.pdf',
        size: pdf.length,
      }),
    ]);
    expect(r.sent[0]?.body).toMatchObject({
      type: 'document',
      document: { id: r.uploaded[0]?.id, filename: 'Счёт 17.pdf', caption: 'Ваш счёт' },
    });
    expect(r.sent[0]?.body.document).not.toHaveProperty('link');
  });

  it('a webp from the portal goes as a sticker (never an image), without the caption', async () => {
    const id = h.portal.addDiskFile({ name: 'smile.webp', bytes: webp(50 * KB), mimeType: 'image/webp' });
    const r = await run({ disk_file_ids: [String(id)], caption: 'no caption on stickers' });
    expect(r.values).toMatchObject({ status: 'sent' });
    expect(r.sent[0]?.body).toEqual(expect.objectContaining({ type: 'sticker', sticker: { id: r.uploaded[0]?.id } }));
  });

  it('a webp link goes as a sticker by link; the caption moves to the next file that takes one', async () => {
    const r = await run({
      files: ['https://files.example.com/s.webp', 'https://files.example.com/p.jpg'],
      caption: 'Фото',
    });
    expect(r.values).toMatchObject({ status: 'sent' });
    expect(r.sent.map((s) => s.body)).toEqual([
      expect.objectContaining({ type: 'sticker', sticker: { link: 'https://files.example.com/s.webp' } }),
      expect.objectContaining({ type: 'image', image: { link: 'https://files.example.com/p.jpg', caption: 'Фото' } }),
    ]);
    expect(r.uploaded).toEqual([]);
  });

  it('a file over its limit stops the robot before anything is sent, naming the file', async () => {
    const small = h.portal.addDiskFile({ name: 'ok.jpg', bytes: Buffer.alloc(10 * KB), mimeType: 'image/jpeg' });
    const big = h.portal.addDiskFile({ name: 'big-sticker.webp', bytes: webp(150 * KB), mimeType: 'image/webp' });
    const r = await run({ disk_file_ids: [String(small), String(big)] });
    expect(r.values).toMatchObject({ status: 'error', error_code: 'file_too_large' });
    expect(r.log).toContain('"big-sticker.webp" is 150 KB; a static sticker may be at most 100 KB');
    expect(r.sent).toEqual([]);
    // One file at a time: the first was uploaded (and dropped) before the second was downloaded.
    expect(r.uploaded.map((u) => u.filename)).toEqual(['ok.jpg']);
  });

  it('a retried job reuses its upload: the portal file is neither fetched nor uploaded again', async () => {
    const id = h.portal.addDiskFile({
      name: 'retry.pdf',
      bytes: Buffer.from('%PDF retry'),
      mimeType: 'application/pdf',
    });
    const gets = h.portal.stats().byMethod['disk.file.get'] ?? 0;
    const attempts = h.whatsapp.attempts().length;
    h.whatsapp.failNext({ code: 131056, times: 1 });
    const r = await run({ disk_file_ids: [String(id)] });
    expect(r.values).toMatchObject({ status: 'sent' });
    expect(
      h.whatsapp
        .attempts()
        .slice(attempts)
        .map((a) => a.errorCode ?? null),
    ).toEqual([131056, null]);
    expect(h.portal.stats().byMethod['disk.file.get'] ?? 0).toBe(gets + 1);
    expect(r.uploaded).toHaveLength(1);
    expect(r.sent[0]?.body).toMatchObject({ type: 'document', document: { id: r.uploaded[0]?.id } });
  });

  it('a type WhatsApp does not take is file_type_unsupported, naming the file', async () => {
    const gif = h.portal.addDiskFile({ name: 'anim.gif', bytes: Buffer.alloc(100), mimeType: 'image/gif' });
    const r = await run({ disk_file_ids: [String(gif)] });
    expect(r.values).toMatchObject({ status: 'error', error_code: 'file_type_unsupported' });
    expect(r.log).toContain('"anim.gif" is image/gif');
    expect(r.sent).toEqual([]);
  });

  it('an unknown Disk file is file_download_failed; no file at all is invalid_property', async () => {
    const missing = await run({ disk_file_ids: ['99999'] });
    expect(missing.values).toMatchObject({ status: 'error', error_code: 'file_download_failed' });
    expect(missing.log).toContain('Disk file 99999');
    const none = await run({});
    expect(none.values).toMatchObject({ status: 'error', error_code: 'invalid_property' });
  });

  it('a file property (rest context: a portal download link) is fetched with the app token, then uploaded', async () => {
    const id = h.portal.addPortalFile({ name: 'photo.png', bytes: Buffer.alloc(2 * KB), mimeType: 'image/png' });
    const r = await run({ portal_files: [String(id)] }, 'rest');
    expect(r.values).toMatchObject({ status: 'sent' });
    expect(r.uploaded).toEqual([expect.objectContaining({ mimeType: 'image/png', size: 2 * KB })]);
    expect(r.sent[0]?.body).toMatchObject({ type: 'image', image: { id: r.uploaded[0]?.id } });
  });

  it('a file property holding the internal file id (a number) is refused: never taken for a Disk id, nothing sent', async () => {
    // Disk file 1 exists too: the old code sent it, an unrelated file, for the b_file id 1.
    h.portal.addDiskFile({ name: 'salaries.pdf', bytes: Buffer.from('%PDF secret'), mimeType: 'application/pdf' });
    const id = h.portal.addPortalFile({
      name: 'offer.pdf',
      bytes: Buffer.from('%PDF offer'),
      mimeType: 'application/pdf',
    });
    const calls = h.portal.stats().byMethod['disk.file.get'] ?? 0;
    const r = await run({ portal_files: [String(id)] });
    expect(r.values).toMatchObject({ status: 'error', error_code: 'invalid_property' });
    expect(r.log).toContain(`file: ${id} is an internal file id, which cannot be downloaded through REST`);
    expect(h.portal.stats().byMethod['disk.file.get'] ?? 0).toBe(calls);
    expect(r.uploaded).toEqual([]);
    expect(r.sent).toEqual([]);
  });

  it('a link that is not on the portal is not fetched with the app token', async () => {
    const r = await run({ portal_files: ['https://elsewhere.example.com/a.pdf'] });
    expect(r.values).toMatchObject({ status: 'error', error_code: 'file_download_failed' });
    expect(r.log).toContain('the link is not on the portal (https://elsewhere.example.com)');
  });

  it('the Cloud API simulator refuses a media id the number never uploaded', async () => {
    const response = await fetch(`${h.whatsapp.url()}/v25.0/${LINE.phoneNumberId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${LINE.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'image', image: { id: '1234567890' } }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 131053 } });
  });
});
