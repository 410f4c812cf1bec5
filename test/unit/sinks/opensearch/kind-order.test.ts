import { describe, expect, it } from 'vitest';
import type { BulkItem } from '../../../../src/sinks/opensearch/bulk-item.ts';
import { inKindOrder } from '../../../../src/sinks/opensearch/kind-order.ts';

const item = (id: string, kind?: string): BulkItem => ({
  index: 'cloudtrail-2024-05',
  id,
  lines: Buffer.from(id),
  documentStart: 0,
  kind,
});

describe('inKindOrder', () => {
  it('orders by kind, keeps the order within a kind, and puts the items without a kind last', () => {
    const items = [
      item('1', 'PutObject'),
      item('2'),
      item('3', 'GetObject'),
      item('4', 'PutObject'),
      item('5', 'GetObject'),
    ];
    expect(inKindOrder(items)?.map((each) => each.id)).toEqual(['3', '5', '1', '4', '2']);
    // The batch itself is left as it was.
    expect(items.map((each) => each.id)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('answers undefined when the items are in that order already', () => {
    expect(inKindOrder([item('1', 'A'), item('2', 'A'), item('3', 'B'), item('4')])).toBeUndefined();
    expect(inKindOrder([item('1'), item('2')])).toBeUndefined();
    expect(inKindOrder([])).toBeUndefined();
  });
});
