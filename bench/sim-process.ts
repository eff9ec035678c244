/**
 * The simulators of a bench scenario in their own process (so the simulated Cloud API and portal
 * never share a CPU core's time slice with the load generator): a Bitrix24 portal with OAuth and
 * the WhatsApp Cloud API, driven over the IPC channel (bench/sim-protocol.ts).
 */
import { errorMessage } from '../lib/errors/classify-error';
import { type BitrixPortalSimulator, createBitrixPortalSimulator } from '../simulators/bitrix24';
import { type CloudApiSimulator, createCloudApiSimulator } from '../simulators/whatsapp-cloud';
import type { SignedWebhook } from '../simulators/whatsapp-cloud/webhook-sender';
import { type SimCommand, simRequestSchema } from './sim-protocol';
import { countBetween, inLanes, maxInWindow } from './windows';

let portal: BitrixPortalSimulator | undefined;
let whatsapp: CloudApiSimulator | undefined;
/** Webhooks `prepareReplies` built for the next `deliverReplies`. */
let preparedReplies: SignedWebhook[] = [];

const started = () => {
  if (!portal || !whatsapp) throw new Error('the simulators are not started (send "start" first)');
  return { portal, whatsapp };
};

const countBy = (values: Array<string | number>) => {
  const counts: Record<string, number> = {};
  for (const v of values) counts[String(v)] = (counts[String(v)] ?? 0) + 1;
  return counts;
};

async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`simulators: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function handle(command: SimCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'start': {
      portal = createBitrixPortalSimulator({
        clientId: command.clientId,
        clientSecret: command.clientSecret,
        languageId: 'en',
        restLimit: command.restLimit,
      });
      whatsapp = createCloudApiSimulator({ appSecret: command.appSecret, throughputPerSec: command.throughputPerSec });
      const [p, w] = await Promise.all([portal.start(0), whatsapp.start(0)]);
      for (const line of command.lines) whatsapp.addPhoneNumber(line);
      return { portalUrl: p.url, graphUrl: w.url };
    }
    case 'install': {
      const sims = started();
      const install = await sims.portal.installApp({ installUrl: `${command.appUrl}/b24/install` });
      if (install.status !== 200) throw new Error(`install answered ${install.status}: ${install.body}`);
      const registered = () => sims.portal.robots().length + sims.portal.activities().length >= command.registrations;
      await waitFor(`${command.registrations} robots and activities registered`, registered, 60_000);
      sims.whatsapp.setWebhook({ url: `${command.appUrl}/whatsapp/webhook` });
      return { memberId: sims.portal.currentTokens().memberId };
    }
    case 'prepareRuns': {
      const sims = started();
      const runs = command.properties.map((properties) => {
        const dealId = sims.portal.createDeal({ stageId: 'NEW' });
        const documentId: [string, string, string] = ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`];
        return sims.portal.prepareRun({ code: command.code, documentId, properties }).fields;
      });
      return { runs };
    }
    case 'runRobots': {
      const sims = started();
      const statuses: number[] = [];
      await inLanes(command.properties, command.concurrency, async (properties) => {
        const dealId = sims.portal.createDeal({ stageId: 'NEW' });
        const documentId: [string, string, string] = ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`];
        statuses.push((await sims.portal.runRobot({ code: command.code, documentId, properties })).httpStatus);
      });
      return { statuses: countBy(statuses) };
    }
    case 'cloudWindows': {
      const { whatsapp: cloud } = started();
      const inRange = (t: number) => t >= command.from && t < command.to;
      const attempts = cloud.attempts().filter((a) => inRange(a.receivedAt));
      const byLine = new Map<string, number[]>();
      for (const a of attempts) {
        const times = byLine.get(a.phoneNumberId) ?? [];
        times.push(a.receivedAt);
        byLine.set(a.phoneNumberId, times);
      }
      return {
        accepted: countBetween(
          cloud.sent().map((s) => s.receivedAt),
          command.from,
          command.to,
        ),
        throttled: attempts.filter((a) => a.errorCode === 130429).length,
        lines: [...byLine].map(([phoneNumberId, times]) => ({
          phoneNumberId,
          requests: times.length,
          maxWindow: maxInWindow(times, 1000),
        })),
      };
    }
    case 'accepted':
      return started().whatsapp.stats();
    case 'portalStats': {
      const { portal: p } = started();
      const stats = p.stats();
      const sends = p.eventSends();
      const accepted = sends.filter((s) => s.outcome === 'accepted');
      const times = sends.map((s) => s.at);
      return {
        restRequests: stats.restRequests,
        batchCalls: stats.batchCalls,
        queryLimitExceeded: stats.queryLimitExceeded,
        eventSendsAccepted: accepted.length,
        eventSendsOther: sends.length - accepted.length,
        firstEventSendAt: times.length ? times.reduce((a, b) => Math.min(a, b)) : null,
        lastEventSendAt: times.length ? times.reduce((a, b) => Math.max(a, b)) : null,
        lastAcceptedAt: accepted.length ? accepted.reduce((a, s) => Math.max(a, s.at), 0) : null,
      };
    }
    case 'prepareReplies': {
      const { whatsapp: cloud } = started();
      preparedReplies = command.replies.map((reply) =>
        cloud.prepareInboundBatch({
          phoneNumberId: reply.phoneNumberId,
          messages: [{ from: reply.from, message: { type: 'button_reply', id: reply.id, title: reply.title } }],
        }),
      );
      return { prepared: preparedReplies.length };
    }
    case 'deliverReplies': {
      const { whatsapp: cloud } = started();
      const webhooks = preparedReplies;
      preparedReplies = [];
      const statuses: number[] = [];
      await inLanes(webhooks, command.concurrency, async (webhook) => {
        statuses.push((await cloud.postPrepared(webhook)).status);
      });
      return { statuses: countBy(statuses) };
    }
    case 'stop': {
      await Promise.all([portal?.stop(), whatsapp?.stop()]);
      return {};
    }
  }
}

process.on('message', (raw: unknown) => {
  const request = simRequestSchema.safeParse(raw);
  if (!request.success) {
    process.stderr.write(`sim-process: bad request: ${request.error.message}\n`);
    return;
  }
  const { id, command } = request.data;
  handle(command).then(
    (result) => process.send?.({ id, ok: true, result }),
    (error: unknown) => process.send?.({ id, ok: false, error: errorMessage(error) }),
  );
});
// The bench owns this process: when its channel closes (the bench ended or died), so does this.
process.on('disconnect', () => process.exit(0));
// An orderly exit (not death by the signal), so a --cpu-prof profile is written.
process.on('SIGTERM', () => process.exit(0));
process.send?.({ id: 0, ok: true, result: { ready: true } });
