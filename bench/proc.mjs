// What the benches read of a process from /proc: its CPU time and its resident memory.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim() || 100);

/** User plus system CPU time of `pid` so far, in ms. */
export function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/**
 * CPU time so far of each process whose command is one of `names` (a database's backends, say), in
 * ms, by pid: a process that ends between two readings (an idle backend a pool closes) would
 * otherwise make the difference of two totals negative.
 */
export function cpuMsByPid(names) {
  const byPid = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (names.some((name) => command.startsWith(name))) byPid.set(entry, cpuMs(entry));
    } catch {
      // The process ended while the list was read.
    }
  }
  return byPid;
}

/** The CPU the processes alive at `after` spent since `before` (both from `cpuMsByPid`), in ms. */
export function cpuMsSince(before, after) {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

export const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
