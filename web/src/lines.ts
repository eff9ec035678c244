// The portal's lines and webhook facts, shared by the tabs (one overview call).
import { reactive } from 'vue';
import { call } from './session';

export interface LineView {
  id: string;
  name: string;
  provider: 'cloud' | 'green-api';
  phoneNumberId: string;
  wabaId: string | null;
  ratePerSec: number | null;
  /** Sent back with an edit: the save is written only over the line shown (else 422 line_changed). */
  revision: string;
  defaultRatePerSec: number;
  lastWebhookAt: number | null;
  openLineId: string | null;
  webhookUrl: string;
}

export interface LineStatus {
  connected: boolean;
  state?: string;
  displayPhoneNumber?: string;
  verifiedName?: string;
  qualityRating?: string;
  messagingLimit?: string;
}

interface Overview {
  lines: LineView[];
  webhook: { callbackUrl: string; verifyToken: string | null };
}

export const overview = reactive<{ loaded: boolean; lines: LineView[]; webhook: Overview['webhook'] }>({
  loaded: false,
  lines: [],
  webhook: { callbackUrl: '', verifyToken: null },
});

export async function loadOverview(): Promise<void> {
  const answer = await call<Overview>('GET', '/overview');
  overview.lines = answer.lines;
  overview.webhook = answer.webhook;
  overview.loaded = true;
}
