import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { AppViewRoute } from '@bull-board/api/typings/app';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { RequestHandler } from 'express';

/**
 * Bull Board whose base path is the one it was reached at. It is mounted at
 * `…/queues/<page session>`, so the board's own API calls and assets (all relative to its
 * `<base href>`) carry the session in their path: it works inside an iframe with no cookie and no
 * header, and the session is checked on every one of them.
 */
class SessionPathAdapter extends ExpressAdapter {
  override setEntryRoute(routeDef: AppViewRoute): ExpressAdapter {
    const routes = Array.isArray(routeDef.route) ? routeDef.route : [routeDef.route];
    this.app.get(routes, (req, res) => {
      const { name, params } = routeDef.handler({ basePath: req.baseUrl, uiConfig: this.uiConfig });
      res.render(name, params);
    });
    return this;
  }
}

/**
 * The board over the app's queues (mount it behind the operator's admin page session); read-only
 * unless the operator's settings say otherwise (no pause, retry, clean or remove).
 */
export function createQueueBoard(queues: Queue[], options: { readOnly: boolean }): RequestHandler {
  const serverAdapter = new SessionPathAdapter();
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: options.readOnly })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'WhatsApp robots' } },
  });
  // The adapter's router is an Express app (its typings say `any`).
  const router: RequestHandler = serverAdapter.getRouter();
  return router;
}
