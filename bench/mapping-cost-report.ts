import { answered, type SearchAnswer, type SearchValues } from '../test/helpers/documented-searches.ts';
import { formatNumber, median, spreadPercent } from './stats.ts';

/** One variant measured once. */
export interface VariantRun {
  readonly variant: string;
  readonly events: number;
  /** Documents the cluster refused (the seed's dynamic mapping meets conflicting types), and why. */
  readonly refused: number;
  readonly refusedReasons: readonly string[];
  /** From the first bulk request to the end of the last merge after a refresh. */
  readonly seconds: number;
  readonly opensearchCpu: number;
  readonly machineCpu: number;
  readonly forceMergeCpu: number;
  /** Primaries' store after a force-merge to one segment. */
  readonly storeBytes: number;
  /** The same, per Lucene file extension. */
  readonly fileSizes: Readonly<Record<string, number>>;
  readonly fields: number;
  /** The documented searches (first round only). */
  readonly answers?: readonly SearchAnswer[];
}

export interface MappingCostResults {
  readonly record: boolean;
  /** How this run was started. */
  readonly command: string;
  readonly resultsFile: string;
  readonly measuredAt: string;
  readonly minutes: number;
  readonly loadBefore: string;
  readonly loadAfter: string;
  readonly opensearch: string;
  readonly javaOptions: string;
  readonly product: string;
  readonly workload: { readonly name: string; readonly files: number; readonly events: number };
  readonly requests: { readonly ours: number; readonly seed: number };
  readonly requestBytes: { readonly ours: number; readonly oursGzip: number; readonly seed: number };
  readonly gzipMicrosPerEvent: number;
  readonly searchValues: SearchValues;
  readonly variants: ReadonlyArray<{ readonly name: string; readonly family: string }>;
  readonly unavailable: readonly string[];
  readonly rounds: ReadonlyArray<readonly VariantRun[]>;
}

const cpuPerEvent = (run: VariantRun): number => (run.opensearchCpu / run.events) * 1e6;
const bytesPerEvent = (run: VariantRun): number => run.storeBytes / run.events;

/** Lucene's file extensions, grouped by what they hold. */
const FILE_KINDS: ReadonlyArray<{ label: string; extensions: readonly string[] }> = [
  { label: 'stored fields (`_source`, `_id`)', extensions: ['fdt', 'fdx', 'fdm'] },
  { label: 'terms dictionary', extensions: ['tim', 'tip', 'tmd'] },
  { label: 'postings (doc ids, freqs)', extensions: ['doc'] },
  { label: 'positions', extensions: ['pos', 'pay'] },
  { label: 'doc values', extensions: ['dvd', 'dvm'] },
  { label: 'norms', extensions: ['nvd', 'nvm'] },
  { label: 'points (dates, numbers)', extensions: ['kdd', 'kdi', 'kdm', 'dii', 'dim'] },
];

function byKind(fileSizes: Readonly<Record<string, number>>): number[] {
  const known = new Set(FILE_KINDS.flatMap((kind) => kind.extensions));
  const sizes = FILE_KINDS.map((kind) =>
    kind.extensions.reduce((sum, ext) => sum + (fileSizes[ext] ?? 0), 0),
  );
  const other = Object.entries(fileSizes).reduce(
    (sum, [ext, size]) => (known.has(ext) ? sum : sum + size),
    0,
  );
  return [...sizes, other];
}

export function formatMappingCostReport(input: MappingCostResults): string {
  const runsOf = (name: string): VariantRun[] =>
    input.rounds.flatMap((round) => round.filter((run) => run.variant === name));
  /** Within-round ratio to another variant's run of the same round, median over rounds. */
  const ratioTo = (name: string, base: string, of: (run: VariantRun) => number): number =>
    median(
      input.rounds.flatMap((round) => {
        const a = round.find((r) => r.variant === name);
        const b = round.find((r) => r.variant === base);
        return a && b ? [of(a) / of(b)] : [];
      }),
    );
  const hasSeed = input.variants.some((v) => v.name === 'seed');
  const searches = input.rounds[0]?.find((run) => run.answers)?.answers ?? [];
  const lines: string[] = [];
  lines.push(
    '## mapping cost: OpenSearch CPU and disk per event, by field family and index setting (issue 19)',
  );
  lines.push('');
  lines.push(
    'Reproduce: `flock /work/coord/bench.lock node bench/mapping-cost.ts` (this section; `npm run bench` runs it too), ' +
      '`--variants a,b` for some rows only (printed), `--report-only` to rewrite this section from the raw figures.',
  );
  lines.push('');
  lines.push(`This run: \`flock /work/coord/bench.lock ${input.command}\`.`);
  lines.push('');
  lines.push(
    `Measured ${input.measuredAt} UTC in ${input.minutes.toFixed(0)} min; load average ${input.loadBefore} before, ${input.loadAfter} after; ` +
      `product at ${input.product}. OpenSearch ${input.opensearch} (single node, ${input.javaOptions}), started by the benchmark. ` +
      `Workload \`${input.workload.name}\`: ${formatNumber(input.workload.events)} events in ${input.workload.files} files, posted as ` +
      `pre-built \`_bulk\` bodies, 2 in flight (ours: ${input.requests.ours} requests, ${formatNumber(input.requestBytes.ours / 1e6)} MB; ` +
      `the seed's documents: ${input.requests.seed} requests, ${formatNumber(input.requestBytes.seed / 1e6)} MB). ` +
      `${input.rounds.length} round(s) after an untimed warm-up, variants in alternating order; medians ± half the range. ` +
      "CPU: OpenSearch's process from the first request to the end of the merges after a refresh. " +
      'Disk: primaries after a force-merge to one segment. Ratios to the seed are taken within each round.',
  );
  lines.push('');
  lines.push(
    'The seed (`seed-baseline.ts`): its documented index body (`total_fields.limit` 8192, 1 shard, 0 replicas, `apiVersion` text, ' +
      'the leaves of `requestParameters_flattened`, `responseElements_flattened`, `resources_flattened` as `text`, everything else ' +
      "OpenSearch's dynamic default of `text` + `.keyword`) and its transform (only those three keys flattened, `json.dumps`, " +
      'month from the file name) on the same events.',
  );
  lines.push('');
  lines.push(
    '| variant | what it prices | OpenSearch CPU µs/event | vs seed | bytes/event | vs seed | fields | force-merge CPU µs/event | searches answered | not answered |',
  );
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const variant of input.variants) {
    const runs = runsOf(variant.name);
    if (runs.length === 0) continue;
    const cpu = runs.map(cpuPerEvent);
    const bytes = runs.map(bytesPerEvent);
    const answers = runs.find((run) => run.answers)?.answers ?? [];
    const ok = answers.filter((a) => answered(a) && a.found > 0);
    const missing = answers.filter((a) => !ok.includes(a)).map((a) => a.name);
    lines.push(
      `| \`${variant.name}\` | ${variant.family} | ${formatNumber(median(cpu), 1)} ±${formatNumber(spreadPercent(cpu))} % | ` +
        `${hasSeed ? formatNumber(ratioTo(variant.name, 'seed', cpuPerEvent), 2) : 'n/a'} | ${formatNumber(median(bytes))} | ` +
        `${hasSeed ? formatNumber(ratioTo(variant.name, 'seed', bytesPerEvent), 2) : 'n/a'} | ${formatNumber(median(runs.map((r) => r.fields)))} | ` +
        `${formatNumber(median(runs.map((r) => (r.forceMergeCpu / r.events) * 1e6)), 1)} | ` +
        `${answers.length ? `${ok.length} of ${answers.length}` : ''} | ${missing.join('; ')} |`,
    );
  }
  for (const variant of input.variants) {
    const refused = runsOf(variant.name).map((run) => run.refused);
    const reasons = [...new Set(runsOf(variant.name).flatMap((run) => run.refusedReasons))];
    if (Math.max(0, ...refused) > 0)
      lines.push(
        '',
        `\`${variant.name}\`: ${refused.join(', ')} of ${formatNumber(input.workload.events)} documents refused by the cluster (per round), ` +
          `so its figures are per event sent; first reasons: ${reasons
            .slice(0, 3)
            .map((r) => `"${r}"`)
            .join('; ')}.`,
      );
  }
  if (input.unavailable.length)
    lines.push(
      '',
      `Not measured, refused by this OpenSearch: ${input.unavailable.map((n) => `\`${n}\``).join(', ')}.`,
    );
  lines.push('');
  lines.push(
    `Bulk request compression: gzip (level 1) shrinks our requests from ${formatNumber(input.requestBytes.ours / 1e6)} to ` +
      `${formatNumber(input.requestBytes.oursGzip / 1e6)} MB and costs the sender ${formatNumber(input.gzipMicrosPerEvent, 1)} µs of CPU per event.`,
  );
  lines.push('');
  lines.push('### Disk per event by Lucene file type, after force-merge (bytes/event, medians)');
  lines.push('');
  lines.push(`| variant | ${FILE_KINDS.map((k) => k.label).join(' | ')} | other | total |`);
  lines.push(`|---|${FILE_KINDS.map(() => '---:').join('|')}|---:|---:|`);
  for (const variant of input.variants) {
    const runs = runsOf(variant.name);
    if (runs.length === 0) continue;
    const perKind = runs.map((run) => byKind(run.fileSizes).map((size) => size / run.events));
    const cells = perKind[0]!.map((_, i) => formatNumber(median(perKind.map((k) => k[i]!))));
    lines.push(
      `| \`${variant.name}\` | ${cells.join(' | ')} | ${formatNumber(median(runs.map(bytesPerEvent)))} |`,
    );
  }
  lines.push('');
  lines.push(
    '### The documented searches (test/helpers/documented-searches.ts), hits or buckets per variant, first round',
  );
  lines.push('');
  lines.push(
    `Values taken from the workload: instance \`${input.searchValues.instanceId}\`, principal \`${input.searchValues.principalArn}\`, ` +
      `error code \`${input.searchValues.errorCode}\`, bucket \`${input.searchValues.bucketName}\`. "error" is a refused search.`,
  );
  lines.push('');
  const withAnswers = input.variants.filter((v) => runsOf(v.name).some((r) => r.answers));
  lines.push(`| search | ${withAnswers.map((v) => `\`${v.name}\``).join(' | ')} |`);
  lines.push(`|---|${withAnswers.map(() => '---:').join('|')}|`);
  for (const search of searches) {
    const cells = withAnswers.map((v) => {
      const answer = runsOf(v.name)
        .find((r) => r.answers)
        ?.answers?.find((a) => a.name === search.name);
      if (!answer) return '';
      return answer.error || answer.status !== 200 ? 'error' : formatNumber(answer.found);
    });
    lines.push(`| ${search.name} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
