import type { TemplateDefinition } from '../../simulators/whatsapp-cloud';
import { cloudActionRunner } from '../helpers/cloud-actions';
import type { Harness } from '../helpers/harness';
import { createManualClock, type ManualClock } from '../helpers/manual-clock';
import { createWabaHarness, customerWrites, DAY, WABA } from '../helpers/waba';
import { CUSTOMER } from '../helpers/waits';

type Body = { type?: string; template?: { name: string; components?: Array<Record<string, unknown>> } };

/** An approved template with an IMAGE header and a body variable. */
const ORDER_PHOTO: Omit<TemplateDefinition, 'id'> = {
  name: 'order_photo',
  language: 'ru',
  status: 'APPROVED',
  category: 'UTILITY',
  components: [
    { type: 'HEADER', format: 'IMAGE' },
    { type: 'BODY', text: 'Ваш заказ {{1}} собран' },
  ],
};

// Issue 13: the window-fallback template may have a media header (fallback_header_media): a link,
// a portal file (downloaded with the app's auth and uploaded) or a media id, checked against the
// template's header before anything is sent.
describe('a fallback template with a media header', () => {
  let h: Harness;
  let clock: ManualClock;
  const { run } = cloudActionRunner(() => h);
  beforeAll(async () => {
    clock = createManualClock(Date.now());
    h = await createWabaHarness(clock);
    h.whatsapp.addTemplate(WABA, ORDER_PHOTO);
    await customerWrites(h, 'Когда будет заказ?');
    clock.advance(2 * DAY);
  });
  afterAll(async () => {
    await h.close();
  });

  const closedText = (media?: string) =>
    run('wa_send_text', {
      phone: CUSTOMER,
      text: 'Ваш заказ собран',
      if_window_closed: 'template',
      fallback_template: 'order_photo',
      fallback_body_params: ['A-17'],
      ...(media === undefined ? {} : { fallback_header_media: media }),
    });
  const header = (body: unknown) => (body as Body).template?.components?.find((c) => c.type === 'header');

  it('a link goes as the image header of the template', async () => {
    const r = await closedText('https://cdn.example.com/order.jpg');
    expect(r.values).toMatchObject({ status: 'sent', sent_as: 'template' });
    expect((r.bodies[0] as Body).template?.name).toBe('order_photo');
    expect(header(r.bodies[0])).toEqual({
      type: 'header',
      parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/order.jpg' } }],
    });
  });

  it('a portal file is downloaded, uploaded once and goes by id', async () => {
    const id = h.portal.addPortalFile({ name: 'order.png', bytes: Buffer.alloc(2048), mimeType: 'image/png' });
    const uploaded = h.whatsapp.uploadedMedia().length;
    const r = await closedText(h.portal.portalFileLink(id));
    expect(r.values).toMatchObject({ status: 'sent', sent_as: 'template' });
    const [upload] = h.whatsapp.uploadedMedia().slice(uploaded);
    expect(upload).toMatchObject({ mimeType: 'image/png', filename: 'order.png' });
    expect(header(r.bodies[0])).toEqual({ type: 'header', parameters: [{ type: 'image', image: { id: upload?.id } }] });
  });

  it('a header that does not fit the template stops the robot before anything is sent', async () => {
    const pdf = h.portal.addPortalFile({
      name: 'invoice.pdf',
      bytes: Buffer.from('%PDF-1.4'),
      mimeType: 'application/pdf',
    });
    const uploads = h.whatsapp.uploadedMedia().length;
    const wrongKind = await closedText(h.portal.portalFileLink(pdf));
    expect(wrongKind.values).toMatchObject({ status: 'error', error_code: 'template_params_mismatch' });
    expect(wrongKind.log).toContain('"invoice.pdf" is document, the template\'s header is image');
    expect(wrongKind.attempts).toBe(0);
    // Refused once downloaded, before it went to WhatsApp's media store.
    expect(h.whatsapp.uploadedMedia()).toHaveLength(uploads);
    const missing = await closedText();
    expect(missing.values).toMatchObject({ status: 'error', error_code: 'template_params_mismatch' });
    expect(missing.log).toContain("fallback_header_media: required, the template's header is image");
    expect(missing.attempts).toBe(0);
    const notALink = await closedText('cdn.example.com/order.jpg');
    expect(notALink.values).toMatchObject({ status: 'error', error_code: 'invalid_property' });
    expect(notALink.log).toContain('Template header media');
    expect(notALink.log).toContain('"cdn.example.com/order.jpg" is neither an http(s) link nor a media id');
    expect(notALink.attempts).toBe(0);
  });

  it('a template without a media header refuses a portal file before it is uploaded (checked first)', async () => {
    const photo = h.portal.addPortalFile({ name: 'order.png', bytes: Buffer.alloc(2048), mimeType: 'image/png' });
    const uploads = h.whatsapp.uploadedMedia().length;
    const r = await run('wa_send_text', {
      phone: CUSTOMER,
      text: 'Ваш заказ собран',
      if_window_closed: 'template',
      fallback_template: 'reconnect',
      fallback_body_params: ['Иван'],
      fallback_header_media: h.portal.portalFileLink(photo),
    });
    expect(r.values).toMatchObject({ status: 'error', error_code: 'template_params_mismatch' });
    expect(r.log).toContain('fallback_header_media: the template has no media header');
    expect(h.whatsapp.uploadedMedia()).toHaveLength(uploads);
  });
});
