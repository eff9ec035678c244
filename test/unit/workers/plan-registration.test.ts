import { actions } from '../../../actions';
import { planRegistration } from '../../../workers/portal-setup-processor';

describe('planRegistration', () => {
  const url = 'https://wa.example.com';
  const context = { lang: 'ru' as const, prefix: '[OLChat] WhatsApp', lines: [{ id: 'line-a', name: 'Продажи' }] };

  it('adds everything on a fresh portal and binds the events', () => {
    const plan = planRegistration(url, { robots: [], activities: [], bindings: [] }, 7, context);
    expect(plan.filter(([m]) => m === 'bizproc.robot.add')).toHaveLength(actions.length);
    expect(plan.filter(([m]) => m === 'bizproc.activity.add')).toHaveLength(actions.length);
    expect(plan.filter(([m]) => m === 'event.bind').map(([, p]) => p.event)).toEqual([
      'ONAPPUNINSTALL',
      'ONCRMDEALUPDATE',
      'ONCRMLEADUPDATE',
      'ONCRMDYNAMICITEMUPDATE',
      'ONIMCONNECTORMESSAGEADD',
      'ONIMCONNECTORSTATUSDELETE',
      'ONIMCONNECTORLINEDELETE',
    ]);
    const [, robot] = plan.find(([m]) => m === 'bizproc.robot.add') ?? ['', {}];
    expect(robot).toMatchObject({ HANDLER: `${url}/b24/robot`, USE_SUBSCRIPTION: 'Y' });
    // The installing user, on every robot and activity (not a constant user 1).
    const registrations = plan.filter(([m]) => m.startsWith('bizproc.'));
    expect(registrations.map(([, p]) => p.AUTH_USER_ID)).toEqual(registrations.map(() => 7));
  });

  it('updates what exists, deletes what the catalogue dropped, keeps bindings', () => {
    const [first] = actions;
    if (!first) throw new Error('the action catalogue is empty');
    const existing = {
      robots: [`wa_${first.code}`, 'wa_retired'],
      activities: [`wa_${first.code}_bp`],
      bindings: [{ event: 'ONCRMDEALUPDATE', handler: `${url}/b24/events` }],
    };
    const plan = planRegistration(url, existing, 7, context);
    expect(plan).toContainEqual([
      'bizproc.robot.update',
      expect.objectContaining({ CODE: `wa_${first.code}`, FIELDS: expect.objectContaining({ AUTH_USER_ID: 7 }) }),
    ]);
    expect(plan).toContainEqual(['bizproc.activity.update', expect.objectContaining({ CODE: `wa_${first.code}_bp` })]);
    expect(plan).toContainEqual(['bizproc.robot.delete', { CODE: 'wa_retired' }]);
    expect(plan.some(([m, p]) => m === 'event.bind' && p.event === 'ONCRMDEALUPDATE')).toBe(false);
  });
});
