import { checkTemplate, componentsFor, type TemplateRequest } from '../../../actions/template-message';
import { ActionError } from '../../../lib/errors/app-error';
import { fromGraphTemplate, graphTemplateSchema } from '../../../providers/message-template';

const named = fromGraphTemplate(
  graphTemplateSchema.parse({
    id: 1689556908129832,
    name: 'order_ready',
    language: 'ru',
    status: 'APPROVED',
    category: 'UTILITY',
    parameter_format: 'NAMED',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Заказ {{order_id}}' },
      { type: 'BODY', text: '{{customer}}, заказ {{order_id}} готов' },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Спасибо' },
          { type: 'URL', text: 'Трекинг', url: 'https://t.example/{{1}}' },
          { type: 'PHONE_NUMBER', text: 'Позвонить', phone_number: '+79001112233' },
        ],
      },
    ],
  }),
);
const request = (over: Partial<TemplateRequest> = {}): TemplateRequest => ({
  name: 'order_ready',
  language: 'ru',
  body: ['order_id=A-17', 'customer=Иван'],
  header: ['order_id=A-17'],
  payloads: [],
  urlSuffixes: ['A-17'],
  ...over,
});
const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    // The message starts with the code's own text; what follows the first ": " is the detail.
    return error instanceof ActionError ? `${error.code}: ${error.message.split(': ').slice(1).join(': ')}` : 'other';
  }
  return 'none';
};

describe('template definitions and components', () => {
  it('reads variables, format and buttons from the Graph node', () => {
    expect(named).toMatchObject({
      id: '1689556908129832',
      parameterFormat: 'NAMED',
      headerFormat: 'TEXT',
      headerParams: ['order_id'],
      bodyParams: ['customer', 'order_id'],
      buttons: [
        { kind: 'QUICK_REPLY', param: false },
        { kind: 'URL', param: true },
        { kind: 'PHONE_NUMBER', param: false },
      ],
    });
  });

  it('named values go in the template order; quick replies carry the wait payloads', () => {
    expect(componentsFor(named, request(), (n) => `w:abc:${n}`)).toEqual([
      { type: 'header', parameters: [{ type: 'text', name: 'order_id', text: 'A-17' }] },
      {
        type: 'body',
        parameters: [
          { type: 'text', name: 'customer', text: 'Иван' },
          { type: 'text', name: 'order_id', text: 'A-17' },
        ],
      },
      { type: 'button', subType: 'quick_reply', index: 0, parameters: [{ type: 'payload', text: 'w:abc:1' }] },
      { type: 'button', subType: 'url', index: 1, parameters: [{ type: 'text', text: 'A-17' }] },
    ]);
  });

  it('says what is wrong: missing and unknown names, counts, not approved', () => {
    expect(codeOf(() => componentsFor(named, request({ body: ['customer=Иван', 'total=5'] })))).toBe(
      'template_params_mismatch: body: the template expects customer, order_id; missing: order_id; unknown: total',
    );
    expect(codeOf(() => componentsFor(named, request({ urlSuffixes: [] })))).toBe(
      'template_params_mismatch: url_params: the template expects 1, given 0',
    );
    expect(codeOf(() => checkTemplate(null, request()))).toContain('template_not_found');
    expect(codeOf(() => checkTemplate({ ...named, status: 'PAUSED' }, request()))).toContain('template_paused');
    expect(codeOf(() => checkTemplate({ ...named, status: 'REJECTED' }, request()))).toBe(
      'template_not_found: order_ready (ru): status REJECTED',
    );
  });

  it('AUTHENTICATION: the body code goes in the OTP button too (url, index 0)', () => {
    const otp = fromGraphTemplate(
      graphTemplateSchema.parse({
        id: '77',
        name: 'login_code',
        language: 'ru',
        status: 'APPROVED',
        category: 'AUTHENTICATION',
        components: [
          { type: 'BODY', text: '{{1}} — ваш код.' },
          { type: 'BUTTONS', buttons: [{ type: 'OTP', otp_type: 'COPY_CODE', text: 'Копировать код' }] },
        ],
      }),
    );
    const otpRequest = request({ name: 'login_code', body: ['428913'], header: [], urlSuffixes: [] });
    expect(componentsFor(otp, otpRequest)).toEqual([
      { type: 'body', parameters: [{ type: 'text', text: '428913' }] },
      { type: 'button', subType: 'url', index: 0, parameters: [{ type: 'text', text: '428913' }] },
    ]);
  });

  it('a LOCATION or GIF header is refused before sending, with what to do', () => {
    for (const format of ['LOCATION', 'GIF']) {
      const t = { ...named, headerFormat: format, headerParams: [] };
      expect(codeOf(() => componentsFor(t, request({ header: [] })))).toBe(
        `template_params_mismatch: the template has a ${format.toLowerCase()} header, which robots cannot fill: use a template with a text, image, video or document header`,
      );
    }
  });
});
