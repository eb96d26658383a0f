// The table load.bench.mjs prints and puts in the README: each scenario against the floor.
const NAMES = { floor: 'floor (bare `node:http` + `openai`)', official: 'official runtime 1.75 in Nest', ours: 'this project' };

const runs = (r) => `${r.runsPerSecond.toFixed(0)} runs/s, ${r.cpuMsPerRun.toFixed(2)} CPU ms/run`;

export function markdownTable({ conditions, cells, rssMiB, idle }) {
  const lines = [
    `Measured ${conditions.date} on ${conditions.cpus} cores, Node ${conditions.node}; ` +
      (conditions.pinned
        ? 'each server pinned to core 0, the load client and aimock to core 1; '
        : 'not pinned (taskset or a second core missing); ') +
      `${conditions.runs} runs or ${conditions.seconds} s per phase, phases interleaved; a 400-character answer in 40 deltas.`,
    '',
    `| scenario, C | ${NAMES.floor} | ${NAMES.official} | ${NAMES.ours} | this project ÷ floor |`,
    '|---|---|---|---|---|',
  ];
  for (const { scenario, concurrency, servers } of cells) {
    const { floor, official, ours } = servers;
    lines.push(
      `| ${scenario}, ${concurrency} | ${runs(floor)} | ${runs(official)} | ${runs(ours)} | ` +
        `${(ours.runsPerSecond / floor.runsPerSecond).toFixed(2)} runs/s, ${(ours.cpuMsPerRun / floor.cpuMsPerRun).toFixed(2)}× CPU |`,
    );
  }
  const slow = cells.find((cell) => cell.scenario === 'slow first token' && cell.concurrency === 1);
  if (slow) {
    const p50 = (name) => slow.servers[name].firstDelta.p50;
    lines.push(
      `| LLM TTFT 50 ms, C=1: time to first text delta p50 | ${p50('floor').toFixed(1)} ms | ${p50('official').toFixed(1)} ms | ` +
        `${p50('ours').toFixed(1)} ms | ${p50('ours') - p50('floor') >= 0 ? '+' : ''}${(p50('ours') - p50('floor')).toFixed(1)} ms |`,
    );
  }
  lines.push(
    `| RSS after the whole run | ${rssMiB.floor.toFixed(0)} MiB | ${rssMiB.official.toFixed(0)} MiB | ${rssMiB.ours.toFixed(0)} MiB | ` +
      `${(rssMiB.ours / rssMiB.floor).toFixed(2)}× |`,
  );
  if (idle.floor && idle.ours) {
    lines.push(
      `| ${idle.ours.opened} open streams waiting on a slow model${idle.ours.opened < idle.requested ? ` (of ${idle.requested} asked: each holds two sockets, and the open-file limit here allows no more)` : ''}: memory per stream | ` +
        `${idle.floor.kibPerStream.toFixed(1)} KiB | not measured | ` +
        `${idle.ours.kibPerStream.toFixed(1)} KiB | ${(idle.ours.kibPerStream / idle.floor.kibPerStream).toFixed(2)}× |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
