import { boundHeapGrowth, listsABucket } from '../backfill/bound-heap-growth.ts';

// Imported first by cli.ts, for its side effect: the factor must be fixed before the modules load
// (start-up's first full collection sets the heap's next limit), so it cannot wait for the command.
if (listsABucket(process.argv.slice(2))) boundHeapGrowth();
