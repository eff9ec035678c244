/**
 * The bench's reference point: a bare Express 5 route at the robot door's path that answers what
 * the door answers, reading nothing. Run as its own process by bench/ingest.ts (PORT from env).
 */
import express from 'express';

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) {
  process.stderr.write(`bare-server: PORT must be a port number, got ${String(process.env.PORT)}\n`);
  process.exit(1);
}
const app = express();
app.post('/b24/robot', (_req, res) => {
  res.json({ result: 'queued', job: 'bare' });
});
app.get('/healthz', (_req, res) => {
  res.json({ ok: true });
});
const server = app.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
