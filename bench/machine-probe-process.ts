/**
 * The machine probe (bench/machine-speed.ts): every SAMPLE_EVERY_MS, one fixed unit of work, timed
 * by this process's own CPU time, sent to the bench. Its CPU time, not the wall clock: the scenario's
 * processes contending for the cores delay the probe without charging it, while time the host takes
 * from this virtual machine (its neighbours, a throttled core) is charged to whatever ran, so the
 * same work costs more CPU. Measured here: with 3 processes spinning on the 2 cores the unit took
 * 6.0 ms of CPU (14 ms of wall time), idle 6.1–6.4 ms; in a host episode, about twice as long.
 */
const SAMPLE_EVERY_MS = 500;
/** ≈ 6 ms of one core here: long against the CPU clock's resolution, 1 % of a core every 500 ms. */
const UNIT_ITERATIONS = 20_000_000;
/** The first units run before V8 has optimised the loop: not sent. */
const WARM_UP_UNITS = 4;

let sink = 0;

function unitCpuMs(): number {
  const before = process.cpuUsage();
  let acc = 0;
  for (let i = 0; i < UNIT_ITERATIONS; i += 1) acc += i & 7;
  sink ^= acc;
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

for (let i = 0; i < WARM_UP_UNITS; i += 1) unitCpuMs();
process.send?.({ ready: true, sink: sink & 1 });
const timer = setInterval(() => {
  const cpuMs = unitCpuMs();
  // Stamped when the unit ended (ProbeSample.at).
  process.send?.({ at: Date.now(), cpuMs });
}, SAMPLE_EVERY_MS);
// The bench owns this process: when its channel closes (the bench ended or died), so does this.
process.on('disconnect', () => {
  clearInterval(timer);
  process.exit(0);
});
