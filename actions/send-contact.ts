import { say } from '../lib/i18n/catalogue';
import { recipientProperties, sendOptions, sendReturns, sentReturnValues } from './common-properties';
import { type ContactCard, loadContactCard } from './crm-contact-card';
import { defineAction } from './define-action';
import { prop } from './property';
import { invalidProperty } from './property-issues';
import { sentLog } from './sent-log';
import { sendFreeForm, windowOutcome } from './window-fallback';
import { windowProperties, windowReturns, windowUrlsOf } from './window-properties';

/** Send a contact card: typed in, or taken from a CRM contact. */
export const sendContact = defineAction({
  code: 'send_contact',
  title: { ru: 'Отправка контакта', en: 'Send a contact' },
  description: {
    ru: 'Отправляет клиенту карточку контакта (вручную или из CRM)',
    en: 'Sends a contact card to the customer (typed in or from the CRM)',
  },
  properties: {
    contact_id: prop.string({
      name: { ru: 'ID контакта CRM', en: 'CRM contact id' },
      description: {
        ru: 'Если задан, имя, телефоны, e-mail и компания берутся из CRM',
        en: 'When set, name, phones, e-mail and company come from the CRM',
      },
      max: 20,
    }),
    contact_name: prop.string({ name: { ru: 'Имя контакта', en: 'Contact name' }, max: 256 }),
    contact_phones: prop.list({ name: { ru: 'Телефоны контакта', en: 'Contact phones' }, maxItems: 20, itemMax: 64 }),
    contact_email: prop.string({ name: { ru: 'E-mail контакта', en: 'Contact e-mail' }, max: 256 }),
    contact_company: prop.string({ name: { ru: 'Компания', en: 'Company' }, max: 256 }),
    ...recipientProperties,
    ...sendOptions,
    ...windowProperties,
  },
  returns: { ...sendReturns, ...windowReturns },
  needs: ['contacts'],
  urlsOf: windowUrlsOf,
  async run(ctx, input) {
    let card: ContactCard;
    if (input.contact_id) {
      if (!/^\d+$/.test(input.contact_id)) throw invalidProperty(sendContact, 'contact_id', 'prop.a_contact_number');
      card = await loadContactCard(ctx.bitrix, input.contact_id);
      if (card.phones.length === 0)
        throw invalidProperty(sendContact, 'contact_id', 'prop.contact_without_phone', { id: input.contact_id });
    } else {
      if (!input.contact_name) throw invalidProperty(sendContact, 'contact_name', 'prop.required_without_contact');
      if (input.contact_phones.length === 0)
        throw invalidProperty(sendContact, 'contact_phones', 'prop.required_without_contact');
      card = {
        formattedName: input.contact_name,
        firstName: input.contact_name,
        phones: input.contact_phones,
        emails: input.contact_email ? [input.contact_email] : [],
        company: input.contact_company,
      };
    }
    // "8 900 …" as typed means +7 900 … here: shared cards carry international numbers.
    card = { ...card, phones: card.phones.map((raw) => ctx.normalizePhone(raw) ?? raw) };
    const to = await ctx.recipient(input.phone);
    const freeForm = await sendFreeForm(
      ctx,
      input,
      { type: 'contacts', contacts: [card] },
      { replyTo: input.reply_to },
    );
    const { sent } = freeForm;
    const what = say('log.what.contact', { name: card.formattedName });
    return windowOutcome(
      freeForm,
      sentReturnValues(sent.providerMessageId),
      sentLog(ctx.lang, what, to, [sent.providerMessageId]),
    );
  },
});
