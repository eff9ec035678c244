import { checkLayers, type FileImports } from '../../../scripts/check-layers';

const file = (path: string, ...specs: string[]): FileImports => ({
  file: path,
  imports: specs.map((spec, i) => ({ spec, line: i + 1 })),
});

describe('checkLayers', () => {
  it('passes an allowed downward import', () => {
    expect(checkLayers([file('workers/send.ts', '../store/line-store', '../lib/clock', './other', 'bullmq')])).toEqual(
      [],
    );
  });

  it('passes the extra robots/activities → actions edges', () => {
    expect(
      checkLayers([file('robots/reg.ts', '../actions/index'), file('activities/reg.ts', '../actions/index')]),
    ).toEqual([]);
  });

  it('fails an upward import, naming both layers', () => {
    const [v, ...rest] = checkLayers([file('waits/wait-service.ts', '../workers/send-on-line')]);
    expect(rest).toEqual([]);
    if (!v) throw new Error('no violation reported');
    expect(v).toMatchObject({
      file: 'waits/wait-service.ts',
      line: 1,
      from: 'waits',
      to: 'workers',
      spec: '../workers/send-on-line',
    });
    expect(v.why).toMatch(/upward.*workers.*waits/);
  });

  it('fails a peer import', () => {
    const [v] = checkLayers([file('bitrix/client.ts', '../providers/green-api')]);
    expect(v).toMatchObject({ from: 'bitrix', to: 'providers' });
    expect(v?.why).toMatch(/peers/);
    expect(checkLayers([file('actions/a.ts', '../robots/r')])[0]?.why).toMatch(/peers/);
  });

  it('reports a folder cycle through a third folder', () => {
    const violations = checkLayers([
      file('store/a.ts', '../redis/b'),
      file('redis/b.ts', '../config/c'),
      file('config/c.ts', '../store/a'),
      file('lib/x.ts'),
    ]);
    const cycles = violations.filter((v) => v.why.includes('cycle'));
    expect(cycles).toHaveLength(1);
    expect(cycles[0]?.why).toContain('{config, redis, store}');
  });

  it('lets an entry point import anything', () => {
    expect(
      checkLayers([
        file('app/main.ts', '../workers/start', '../runtime/create-runtime', '../simulators/fake'),
        file('cli/parse.ts', '../app/endpoints', './main'),
        file('runtime/create-runtime.ts', '../app/create-app', '../waits/wait-service'),
        file('scripts/build.ts', '../actions/index', './write'),
      ]),
    ).toEqual([]);
  });

  it('fails a non-entry file importing runtime/ or a main.ts', () => {
    const violations = checkLayers([file('queues/enqueue.ts', '../runtime/create-runtime', '../workers/main')]);
    expect(violations.map((v) => [v.from, v.to])).toEqual([
      ['queues', 'runtime'],
      ['queues', 'workers'],
    ]);
    expect(violations.every((v) => v.why.includes('entry point'))).toBe(true);
  });

  it('keeps simulators isolated', () => {
    expect(checkLayers([file('simulators/fake.ts', '../lib/clock')])).toEqual([]);
    expect(checkLayers([file('simulators/fake.ts', '../store/s')])[0]?.why).toMatch(/isolated/);
    expect(checkLayers([file('app/doors.ts', '../simulators/fake')])[0]?.why).toMatch(/isolated/);
  });
});
