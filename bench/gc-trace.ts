/** What `node --trace-gc` says about a run: how big the V8 heap got, and how much of it was live. */
export interface GcTraceSummary {
  readonly scavenges: number;
  readonly markCompacts: number;
  /** Largest heap in use just before a collection (MB). */
  readonly maxUsedMb: number;
  /** Largest heap V8 had reserved (committed) at any collection (MB). */
  readonly maxCommittedMb: number;
  /** Largest heap still in use right after a full collection: the live data (MB). */
  readonly maxLiveMb: number;
}

// [pid:0x...]  3668 ms: Mark-Compact 251.4 (369.6) -> 58.8 (221.4) MB, ...
const LINE =
  /(Scavenge|Mark-Compact|Mark-Compact \(reduce\))\s+([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB/;

export function summarizeGcTrace(output: string): GcTraceSummary {
  let scavenges = 0;
  let markCompacts = 0;
  let maxUsedMb = 0;
  let maxCommittedMb = 0;
  let maxLiveMb = 0;
  for (const line of output.split('\n')) {
    const match = LINE.exec(line);
    if (!match) continue;
    const [, kind, usedBefore, committedBefore, usedAfter, committedAfter] = match;
    maxUsedMb = Math.max(maxUsedMb, Number(usedBefore));
    maxCommittedMb = Math.max(maxCommittedMb, Number(committedBefore), Number(committedAfter));
    if (kind === 'Scavenge') scavenges++;
    else {
      markCompacts++;
      maxLiveMb = Math.max(maxLiveMb, Number(usedAfter));
    }
  }
  return { scavenges, markCompacts, maxUsedMb, maxCommittedMb, maxLiveMb };
}
