/** Paths of the app's HTTP doors (the manifest lists them; handler URLs derive from PUBLIC_URL). */
export const endpoints = {
  install: '/b24/install',
  robot: '/b24/robot',
  events: '/b24/events',
  whatsappWebhook: '/whatsapp/webhook',
  /** Green-API lines: one webhook URL per line. */
  greenApiWebhook: '/green-api/webhook/:lineId',
  /** GupShup lines: one callback URL per line; GupShup does not sign, so the secret is in the path. */
  gupshupWebhook: '/gupshup/webhook/:lineId/:token',
  /** The webhook API for outside systems: the secret token and the method are path segments. */
  webhookApi: '/rest/webhook/wa/:token/:method',
  /** The webhook API's OpenAPI 3.1 document. */
  openApi: '/rest/openapi.json',
  /** The open-line connector's settings placement (SETTING_CONNECTOR, opened from the Contact Center). */
  openLineSettings: '/b24/openlines/settings',
  /** Customers' media for the open-line chat: signed, short-lived, fetched by Bitrix24. */
  media: '/media/:memberId/:lineId/:mediaId/:name',
  /**
   * The settings page: the app's main page (the handler URL of the app card in Bitrix24). Opened by
   * a form POST into the portal's iframe; its JSON calls and assets live under it.
   */
  settingsPage: '/b24/settings',
  health: '/healthz',
  metrics: '/metrics',
} as const;

/** Events the app binds on every install. */
export const boundEvents = [
  'ONAPPUNINSTALL',
  'ONCRMDEALUPDATE',
  'ONCRMLEADUPDATE',
  'ONCRMDYNAMICITEMUPDATE',
  // The connector's events (openlines-wire.md §5): operator messages, the connector switched off, a line deleted.
  'ONIMCONNECTORMESSAGEADD',
  'ONIMCONNECTORSTATUSDELETE',
  'ONIMCONNECTORLINEDELETE',
] as const;

/** The callback URL path of one GupShup line, with its secret token. */
export function gupshupWebhookPath(lineId: string, token: string): string {
  return endpoints.gupshupWebhook
    .replace(':lineId', encodeURIComponent(lineId))
    .replace(':token', encodeURIComponent(token));
}
/** OAuth scopes the app asks for (`im`: system lines in open-line chats, im.message.add; openlines-wire.md §0). */
export const scopes = [
  'crm',
  'bizproc',
  'imopenlines',
  'imconnector',
  'im',
  'placement',
  'user_brief',
  'disk',
] as const;

/** The webhook URL path of one Green-API line (each line has its own: the instance's webhookUrl). */
export function greenApiWebhookPath(lineId: string): string {
  return endpoints.greenApiWebhook.replace(':lineId', encodeURIComponent(lineId));
}
