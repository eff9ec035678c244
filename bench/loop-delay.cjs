// Event-loop delay of a bench process, one line a second to BENCH_LOOP_DELAY_DIR/loop-delay-<pid>.log:
//   BENCH_LOOP_DELAY_DIR=/tmp/ld BENCH_NODE_ARGS="--require ./bench/loop-delay.cjs" npm run bench -- --quick --only ingest
// Columns: time (ms), delay p50/p99/max (ms, 1 ms resolution), CPU used in that second (ms).
const { isMainThread } = require('node:worker_threads');
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { appendFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.BENCH_LOOP_DELAY_DIR;
// tsx's loader thread loads preloads too: only the main thread's loop matters.
if (isMainThread && dir) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const file = join(dir, `loop-delay-${process.pid}.log`);
  const ms = (ns) => (ns / 1e6).toFixed(1);
  let cpu = process.cpuUsage();
  setInterval(() => {
    const used = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    const line = `${Date.now()} p50 ${ms(histogram.percentile(50))} p99 ${ms(histogram.percentile(99))} max ${ms(histogram.max)} cpu ${((used.user + used.system) / 1000).toFixed(0)}\n`;
    appendFileSync(file, line);
    histogram.reset();
  }, 1000).unref();
}
