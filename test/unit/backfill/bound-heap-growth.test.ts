import { describe, expect, it } from 'vitest';
import {
  boundHeapGrowth,
  LISTING_HEAP_GROWING_PERCENT,
  listsABucket,
} from '../../../src/backfill/bound-heap-growth.ts';

describe('boundHeapGrowth', () => {
  it('fixes the heap growing factor when the operator chose none', () => {
    // 0 is V8's own default (a dynamic factor): the test process is left as it was.
    expect(boundHeapGrowth(0, ['--max-semi-space-size=4'])).toBe('--heap-growing-percent=0');
    expect(LISTING_HEAP_GROWING_PERCENT).toBeGreaterThan(0);
  });

  it("keeps the operator's factor, from the Node flags or NODE_OPTIONS, in either spelling", () => {
    expect(boundHeapGrowth(20, ['--heap-growing-percent=50'])).toBeUndefined();
    expect(boundHeapGrowth(20, ['', '--heap_growing_percent=50'])).toBeUndefined();
  });
});

describe('listsABucket', () => {
  it('is a backfill with --s3, in either form', () => {
    expect(listsABucket(['backfill', '--s3', 's3://b', '--dry-run'])).toBe(true);
    expect(listsABucket(['backfill', '--from', '2024-01-01', '--s3=s3://b'])).toBe(true);
    expect(listsABucket(['backfill', '--local', 'logs'])).toBe(false);
    expect(listsABucket(['worker'])).toBe(false);
    expect(listsABucket([])).toBe(false);
  });
});
