// CPU time (user + system, seconds) used so far by a process and its live descendants, from /proc.
import { readdirSync, readFileSync } from 'node:fs';

const kTicks = 100; // USER_HZ; 100 on every Linux we run on

function readStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / kTicks };
  } catch {
    return null; // gone
  }
}

/** Seconds of CPU used by each root PID's tree: { [pid]: seconds }. */
export function treeCpuSeconds(rootPids) {
  const stats = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(name);
    if (s) stats.set(Number(name), s);
  }
  const children = new Map();
  for (const [pid, s] of stats) {
    if (!children.has(s.ppid)) children.set(s.ppid, []);
    children.get(s.ppid).push(pid);
  }
  const result = {};
  for (const root of rootPids) {
    let total = 0;
    const stack = [root];
    while (stack.length) {
      const pid = stack.pop();
      total += stats.get(pid)?.cpu ?? 0;
      stack.push(...(children.get(pid) ?? []));
    }
    result[root] = total;
  }
  return result;
}
