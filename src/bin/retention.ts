import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { type RetentionFlags, runRetention } from '../operations/run-retention.ts';
import { createOpenSearchClient, describeEndpoint } from '../sinks/opensearch/create-opensearch-client.ts';
import { processIo } from './command-errors.ts';

export function registerRetentionCommand(program: Command): void {
  program
    .command('retention')
    .description(
      'Delete the month indexes <INDEX_PREFIX>-YYYY-MM (and -insights-YYYY-MM) whose month, read from the ' +
        'name, is entirely older than N months. Unlike ISM, which counts from index creation, this also ' +
        'ages backfilled months correctly. Indexes without a month in their name are never deleted.',
    )
    .requiredOption('--keep-months <N>', 'months to keep before the current one (1 or more)')
    .option('--dry-run', 'list what would be deleted, delete nothing')
    .action(async (flags: RetentionFlags) => {
      const config = loadConfig(process.env, ['OPENSEARCH_URL']);
      const client = createOpenSearchClient(config);
      try {
        process.exitCode = await runRetention(
          flags,
          client,
          describeEndpoint(config),
          config.INDEX_PREFIX,
          new Date(),
          processIo,
        );
      } finally {
        await client.close();
      }
    });
}
