import type { BenchResults } from '../../bench/results';

/** A quick run's bench/results.json, for the bench's own tests (figures chosen, not measured). */
export const benchResults: BenchResults = {
  machine: { cpus: 2, model: 'Test CPU @ 2.0GHz' },
  quick: true,
  ran_at: '2026-12-01T07:00:00.000Z',
  ingest: {
    robot_rps: 1500,
    bare_rps: 2000,
    ratio: 0.75,
    p50_ms: 3,
    p99_ms_at_1000: 12,
    rps_at_1000: 999,
    sustained_at_1000: true,
    bare_p99_ms_at_1000: 9,
    door_cpu_ms_per_call: 0.3,
    door_redis_cpu_ms_per_call: 0.05,
    bare_cpu_ms_per_call: 0.2,
    load_cpu_ms_per_call: 0.1,
  },
  outbound: {
    lines: 10,
    limit_per_line: 200,
    workers: [1, 2],
    msgs_per_s: [1000, 1900],
    max_window_over_limit: [0, 1],
    cpu_ms_by_process: [
      { workers: 0.5, web: 0, simulators: 0.3, redis: 0.15, bench: 0.05 },
      { workers: 0.6, web: 0, simulators: 0.3, redis: 0.15, bench: 0.05 },
    ],
  },
  one_line: { limit: 1000, msgs_per_s: 950, max_window: 1000 },
  cpu_ms_per_message: 0.5,
  callbacks: { count: 5000, seconds: 5.1, min_seconds: 5, ratio: 1.02, per_batch: 50, query_limit_exceeded: 0 },
  replies: {
    workers: 1,
    open_waits: { '1000': 1600, '100000': 1550 },
    cpu_ms_per_reply: {
      '1000': { workers: 0.4, web: 0.2, simulators: 0.3, redis: 0.1, bench: 0 },
      '100000': { workers: 0.4, web: 0.2, simulators: 0.3, redis: 0.2, bench: 0 },
    },
  },
  bytes_per_wait: 900,
};
