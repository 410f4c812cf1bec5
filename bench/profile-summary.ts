/**
 * Where a process spent its time, from a V8 CPU profile (`node --cpu-prof`): self time by area
 * (our modules, each npm package, Node internals, GC, idle) and the hottest functions.
 *
 *   node bench/profile-summary.ts FILE.cpuprofile [TOP]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Self time by area, largest first. */
  readonly areas: ReadonlyArray<{ readonly area: string; readonly ms: number }>;
  /** Self time by function, largest first. */
  readonly functions: ReadonlyArray<{ readonly name: string; readonly area: string; readonly ms: number }>;
}

/** `src/sinks/opensearch`, `node_modules/pino`, `node internals`, `(garbage collector)`... */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return `node_modules/${modules[1]}`;
  // The compiled build (dist/, or the benchmark's bench/workload/dist/) mirrors src/.
  const compiled = /\/dist\/((?:[^/]+\/)*)[^/]+$/.exec(url);
  if (compiled) return `src/${(compiled[1] ?? '').replace(/\/$/, '')}`.replace(/\/$/, '');
  const ours = /\/(src|bench|test|scripts)\/((?:[^/]+\/)*)[^/]+$/.exec(url);
  if (ours) return `${ours[1]}/${(ours[2] ?? '').replace(/\/$/, '')}`.replace(/\/$/, '');
  return url;
}

export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node] as const));
  const selfMs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const areas = new Map<string, number>();
  const functions = new Map<string, { name: string; area: string; ms: number }>();
  for (const [id, ms] of selfMs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const file = url.split('/').slice(-2).join('/');
    const name = `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
    const entry = functions.get(name) ?? { name, area, ms: 0 };
    entry.ms += ms;
    functions.set(name, entry);
  }
  return {
    totalMs: (profile.endTime - profile.startTime) / 1000,
    areas: [...areas].map(([area, ms]) => ({ area, ms })).sort((a, b) => b.ms - a.ms),
    functions: [...functions.values()].sort((a, b) => b.ms - a.ms),
  };
}

export function readProfile(path: string): ProfileSummary {
  return summarizeProfile(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile);
}

/** Markdown tables of the areas and the `top` hottest functions. */
export function formatProfile(summary: ProfileSummary, top = 15): string {
  const pct = (ms: number): string => ((ms / summary.totalMs) * 100).toFixed(1);
  return [
    `| area | self ms | % of ${(summary.totalMs / 1000).toFixed(1)} s |`,
    '|---|---:|---:|',
    ...summary.areas.slice(0, top).map((a) => `| ${a.area} | ${a.ms.toFixed(0)} | ${pct(a.ms)} |`),
    '',
    '| function | area | self ms | % |',
    '|---|---|---:|---:|',
    ...summary.functions
      .slice(0, top)
      .map((f) => `| \`${f.name}\` | ${f.area} | ${f.ms.toFixed(0)} | ${pct(f.ms)} |`),
  ].join('\n');
}

if (import.meta.main) {
  const [path, top] = process.argv.slice(2);
  if (!path) {
    console.error('usage: node bench/profile-summary.ts FILE.cpuprofile [TOP]');
    process.exit(2);
  }
  console.log(formatProfile(readProfile(path), Number(top ?? 20)));
}
