import { describe, expect, it } from 'vitest';
import { areaOf, summarizeProfile } from '../../../bench/profile-summary.ts';
import { replaceSection } from '../../../bench/results-section.ts';
import { median, percentile, spreadPercent } from '../../../bench/stats.ts';

describe('stats', () => {
  it.each([
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
  ])('median of %j is %d', (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
  });

  it('gives the spread as half the range relative to the median', () => {
    expect(spreadPercent([90, 100, 110])).toBe(10);
    expect(spreadPercent([100])).toBe(0);
  });
});

describe('replaceSection', () => {
  it('replaces only its own marked section and keeps the others byte for byte', () => {
    const text =
      '# R\n\n<!-- a:begin -->\nold a\n<!-- a:end -->\n\n<!-- b:begin -->\nold b\n<!-- b:end -->\n';
    expect(replaceSection(text, 'b', 'new b')).toBe(
      '# R\n\n<!-- a:begin -->\nold a\n<!-- a:end -->\n\n<!-- b:begin -->\nnew b\n<!-- b:end -->\n',
    );
  });

  it('appends a section that is not there yet', () => {
    expect(replaceSection('# R\n', 'c', 'text')).toBe('# R\n\n<!-- c:begin -->\ntext\n<!-- c:end -->\n');
  });
});

describe('profile summary', () => {
  it.each([
    ['file:///work/main/src/sinks/opensearch/bulk-item.ts', 'f', 'src/sinks/opensearch'],
    [
      'file:///work/main/node_modules/@opensearch-project/opensearch/lib/Transport.js',
      'f',
      'node_modules/@opensearch-project/opensearch',
    ],
    ['file:///work/main/bench/workload/dist/transforms/flatten-fields.js', 'f', 'src/transforms'],
    ['file:///work/main/dist/bin/cli.js', 'f', 'src/bin'],
    ['node:zlib', 'f', 'node internals'],
    ['', '(garbage collector)', '(garbage collector)'],
    ['', 'writeUtf8String', '(native)'],
  ])('puts %s (%s) under %s', (url, name, area) => {
    expect(areaOf(url, name)).toBe(area);
  });

  it('sums self time per function from the samples', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
    const summary = summarizeProfile({
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 3] },
        { id: 2, callFrame: frame('toDocument', 'file:///x/src/transforms/to-document.ts') },
        { id: 3, callFrame: frame('(idle)', '') },
      ],
      samples: [2, 2, 3],
      timeDeltas: [1000, 2000, 5000],
      startTime: 0,
      endTime: 8000,
    });
    expect(summary.areas).toEqual([
      { area: '(idle)', ms: 5 },
      { area: 'src/transforms', ms: 3 },
    ]);
    expect(summary.totalMs).toBe(8);
  });
});
