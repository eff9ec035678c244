import { productionNodeFlags } from '../../faults/app-process';

describe('the Node flags production gives its processes', () => {
  it('sizes the young generation of the web and worker processes (fewer scavenges per message)', () => {
    expect(productionNodeFlags('app/main.ts')).toEqual(['--max-semi-space-size=64']);
    expect(productionNodeFlags('workers/main.ts')).toContain('--max-semi-space-size=64');
  });

  it('runs the worker’s garbage collector on the main thread only (less CPU per message), never the web’s (its pauses)', () => {
    expect(productionNodeFlags('workers/main.ts')).toEqual(['--max-semi-space-size=64', '--single-threaded-gc']);
    expect(productionNodeFlags('app/main.ts')).not.toContain('--single-threaded-gc');
  });

  it('gives none to a script no package.json script runs with node', () => {
    expect(productionNodeFlags('bench/bare-server.ts')).toEqual([]);
    expect(productionNodeFlags('main.ts')).toEqual([]);
  });
});
