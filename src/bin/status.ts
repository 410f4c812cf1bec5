import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { backfillParameterName, createBackfillRecordStore } from '../control/backfill-record.ts';
import { createPauseSwitch } from '../control/pause-switch.ts';
import { runStatus } from '../operations/ingestion-report.ts';
import { processIo } from './command-errors.ts';
import { createCloudWatchClient, createOpenSearchServiceClient, createSsmClient } from './control-clients.ts';
import { createSqsClient } from './sqs-client.ts';

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description(
      'Show whether ingestion is paused (and by whom, since when, why), the messages waiting and in flight, ' +
        'the age of the oldest message (from CloudWatch, when available) and the dead-letter queue depth.',
    )
    .option('--json', 'print one JSON object instead of text')
    .action(async (flags: { json?: boolean }) => {
      const config = loadConfig(process.env, ['QUEUE_URL']);
      const ssm = createSsmClient(config.AWS_REQUEST_TIMEOUT_SECONDS);
      const sources = {
        pauseSwitch: createPauseSwitch(ssm, config.PAUSE_PARAMETER_NAME),
        backfill: createBackfillRecordStore(ssm, backfillParameterName(config.PAUSE_PARAMETER_NAME)),
        sqs: createSqsClient(process.env, config.AWS_REQUEST_TIMEOUT_SECONDS),
        cloudwatch: createCloudWatchClient(),
        ...(config.OPENSEARCH_DOMAIN_NAME
          ? { domain: { name: config.OPENSEARCH_DOMAIN_NAME, client: createOpenSearchServiceClient() } }
          : {}),
      };
      process.exitCode = await runStatus(
        flags,
        sources,
        { queueUrl: config.QUEUE_URL, dlqUrl: config.DLQ_URL },
        processIo,
      );
    });
}
