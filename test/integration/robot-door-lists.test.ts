import { createHarness, type Harness } from '../helpers/harness';

/**
 * Bitrix24 posts multiple-value properties PHP-style (`properties[files][0]=…`). qs (Express'
 * urlencoded parser) used to turn lists of more than 20 items into objects; body-parser 2 raises
 * the array limit to the parameter count, so a long list must reach the queue as a list.
 */
describe('robot door: long PHP lists stay lists', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness({ startWorkers: false });
  });
  afterEach(async () => {
    await h.close();
  });

  it('25 files arrive in the queued job as an array of 25, in order', async () => {
    const portal = await h.rt.portals.get(h.memberId);
    if (!portal) throw new Error('not installed');
    const form = new URLSearchParams({
      workflow_id: 'wf1',
      code: 'wa_send_file',
      event_token: 'wf1|A1|tok.sig',
      'document_id[0]': 'crm',
      'document_id[1]': 'CCrmDocumentDeal',
      'document_id[2]': 'DEAL_1',
      'properties[phone]': '79161234567',
      'auth[member_id]': h.memberId,
      'auth[application_token]': portal.applicationToken,
    });
    const files = Array.from({ length: 25 }, (_, i) => `https://files.example.com/f${i}.pdf`);
    for (const [i, file] of files.entries()) form.append(`properties[files][${i}]`, file);
    const response = await fetch(`${h.appUrl}/b24/robot`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    expect(response.status).toBe(200);
    const { job: jobId } = (await response.json()) as { job: string };
    const job = await h.rt.queues.runAction.getJob(jobId);
    expect(job?.data.properties.files).toEqual(files);
  });
});
