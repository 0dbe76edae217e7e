/**
 * @module bench/profile-summary
 * Reads a V8 `.cpuprofile` (from `BENCH_CPU_PROF=<dir> npm run bench -- <id>`) and prints where the
 * time went: self time by function, and inclusive time by function (a function's own time plus
 * everything it called), each with its file; and self time summed per file. Usage:
 * `node --import tsx bench/profile-summary.ts <file.cpuprofile> [top=30]`.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
const top = Number(topArg ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const label = (n: ProfileNode): string => {
  const url = n.callFrame.url.replace(/^.*\/(node_modules\/|dist\/|src\/)/, '$1');
  return `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
};
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  self.set(label(node), (self.get(label(node)) ?? 0) + us);
  // Count each function once per sample even when it recurses.
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + us);
  }
}
const print = (title: string, m: Map<string, number>): void => {
  process.stdout.write(`\n${title} (total ${(total / 1000).toFixed(0)} ms)\n`);
  for (const [l, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${l}\n`);
  }
};
const byFile = new Map<string, number>();
for (const [l, us] of self) {
  const file = l.slice(l.indexOf(' ') + 1).replace(/:\d+$/, '') || '(native)';
  byFile.set(file, (byFile.get(file) ?? 0) + us);
}
print('self time by file', byFile);
print('self time', self);
print('inclusive time', inclusive);
