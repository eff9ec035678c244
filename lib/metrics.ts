import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** The app's Prometheus metrics, one registry per process (or per test app). */
export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    robotCalls: new Counter({
      name: 'wa_robot_calls_total',
      help: 'Robot/activity calls at the door',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    apiRequests: new Counter({
      name: 'wa_api_requests_total',
      help: 'Webhook-API requests by method and answer code (ok, rate_limited, invalid_token…)',
      labelNames: ['method', 'code'] as const,
      registers: [registry],
    }),
    jobs: new Counter({
      name: 'wa_jobs_total',
      help: 'Jobs processed by queue and outcome',
      labelNames: ['queue', 'outcome'] as const,
      registers: [registry],
    }),
    lineHealthChanges: new Counter({
      name: 'wa_line_health_changes_total',
      help: "Changes of a line's health: quality_drop, quality_up, limit_change, status_change, account_event",
      labelNames: ['change'] as const,
      registers: [registry],
    }),
    sends: new Counter({
      name: 'wa_sends_total',
      help: 'WhatsApp sends by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    callbacks: new Counter({
      name: 'wa_callbacks_total',
      help: 'bizproc.event.send results, one per callback, by outcome: sent, workflow_gone, rejected, dropped (uninstalled or past the retry budget), dropped_address_refused, dropped_unreadable (no callback at all), dropped_kept_expired (a newer form no worker read in time)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    // Not an outcome of wa_callbacks_total: a row counts here at every look (every 90 s), so it
    // would skew that counter's sums and ratios.
    callbacksKeptUnreadable: new Counter({
      name: 'wa_callbacks_kept_unreadable_total',
      help: "Looks at a callback in a newer release's form, put back for a newer worker (counts looks, not callbacks: one row adds one every 90 s while it waits)",
      registers: [registry],
    }),
    callbackBatches: new Counter({
      name: 'wa_callback_batches_total',
      help: 'batch calls made for callbacks',
      registers: [registry],
    }),
    errors: new Counter({
      name: 'wa_errors_total',
      help: 'Errors returned to robots by code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    webhooks: new Counter({
      name: 'wa_webhooks_total',
      help: 'WhatsApp webhook events',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    waits: new Counter({
      name: 'wa_waits_total',
      help: 'Waits ended, by outcome and reason',
      labelNames: ['outcome', 'reason'] as const,
      registers: [registry],
    }),
    portalsNeedingReinstall: new Counter({
      name: 'wa_portal_needs_reinstall_total',
      help: 'Portals marked needs_reinstall: fresh tokens refused (expired_after_refresh) or the refresh token refused (invalid_grant)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    webhookErrors: new Counter({
      name: 'wa_webhook_errors_total',
      help: 'Errors WhatsApp reported in webhooks outside any message or status (value.errors[]), by code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    hookDeliveries: new Counter({
      name: 'wa_hook_deliveries_total',
      help: 'Outbound event delivery attempts: delivered, retry (another try is due), failed (given up after 24 h)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    hookEventsPending: new Gauge({
      name: 'wa_hook_events_pending',
      help: 'Outbound events not yet delivered to every subscription of their portal (sampled by the deliverers)',
      registers: [registry],
    }),
    openWaits: new Gauge({ name: 'wa_open_waits', help: 'Open waits (sampled)', registers: [registry] }),
    queueJobs: new Gauge({
      name: 'wa_queue_jobs',
      help: 'Jobs per queue and state (sampled)',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
    }),
    pendingCallbacks: new Gauge({
      name: 'wa_pending_callbacks',
      help: 'bizproc.event.send calls waiting in the outboxes (sampled)',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
