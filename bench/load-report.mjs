// The table load.bench.mjs prints and puts in the README: each scenario against the floor, and
// against what a bare Nest @Sse() route reaches with the same relay (the ceiling for an @Sse() route).
const NAMES = {
  floor: 'floor (bare `node:http` + `openai`)',
  'nest-sse': 'the floor\u2019s relay from a bare Nest `@Sse()` route',
  official: 'official runtime 1.75 in Nest',
  ours: 'this project',
};

const runs = (r) => `${r.runsPerSecond.toFixed(0)} runs/s, ${r.cpuMsPerRun.toFixed(2)} CPU ms/run`;
const ratio = (ours, reference) =>
  `${(ours.runsPerSecond / reference.runsPerSecond).toFixed(2)} runs/s, ${(ours.cpuMsPerRun / reference.cpuMsPerRun).toFixed(2)}× CPU`;
const difference = (ours, reference) => `${ours - reference >= 0 ? '+' : ''}${(ours - reference).toFixed(1)} ms`;

export function markdownTable({ conditions, cells, rssMiB, idle }) {
  const lines = [
    `Measured ${conditions.date} on ${conditions.cpus} cores, Node ${conditions.node}; ` +
      (conditions.pinned
        ? 'each server pinned to core 0, the load client and aimock to core 1; '
        : 'not pinned (taskset or a second core missing); ') +
      `${conditions.runs} runs or ${conditions.seconds} s per phase, phases interleaved` +
      (conditions.rounds > 1 ? `, ${conditions.rounds} rounds per cell, each server's median round (by runs/s) shown` : '') +
      '; a 400-character answer in 40 deltas.',
    '',
    `| scenario, C | ${NAMES.floor} | ${NAMES['nest-sse']} | ${NAMES.official} | ${NAMES.ours} | this project ÷ floor | this project ÷ Nest \`@Sse()\` relay |`,
    '|---|---|---|---|---|---|---|',
  ];
  for (const { scenario, concurrency, servers } of cells) {
    const { floor, 'nest-sse': nest, official, ours } = servers;
    lines.push(
      `| ${scenario}, ${concurrency} | ${runs(floor)} | ${runs(nest)} | ${runs(official)} | ${runs(ours)} | ${ratio(ours, floor)} | ${ratio(ours, nest)} |`,
    );
  }
  const slow = cells.find((cell) => cell.scenario === 'slow first token' && cell.concurrency === 1);
  if (slow) {
    const p50 = (name) => slow.servers[name].firstDelta.p50;
    lines.push(
      `| LLM TTFT 50 ms, C=1: time to first text delta p50 | ${p50('floor').toFixed(1)} ms | ${p50('nest-sse').toFixed(1)} ms | ` +
        `${p50('official').toFixed(1)} ms | ${p50('ours').toFixed(1)} ms | ${difference(p50('ours'), p50('floor'))} | ${difference(p50('ours'), p50('nest-sse'))} |`,
    );
  }
  const mib = (name) => `${rssMiB[name].toFixed(0)} MiB`;
  lines.push(
    `| RSS after the whole run | ${mib('floor')} | ${mib('nest-sse')} | ${mib('official')} | ${mib('ours')} | ` +
      `${(rssMiB.ours / rssMiB.floor).toFixed(2)}× | ${(rssMiB.ours / rssMiB['nest-sse']).toFixed(2)}× |`,
  );
  if (idle.floor && idle['nest-sse'] && idle.ours) {
    const kib = (name) => idle[name].kibPerStream;
    lines.push(
      `| ${idle.ours.opened} open streams waiting on a slow model${idle.ours.opened < idle.requested ? ` (of ${idle.requested} asked: each holds two sockets, and the open-file limit here allows no more)` : ''}: memory per stream | ` +
        `${kib('floor').toFixed(1)} KiB | ${kib('nest-sse').toFixed(1)} KiB | not measured | ${kib('ours').toFixed(1)} KiB | ` +
        `${(kib('ours') / kib('floor')).toFixed(2)}× | ${(kib('ours') / kib('nest-sse')).toFixed(2)}× |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
