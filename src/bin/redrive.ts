import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { type RedriveFlags, runRedrive } from '../operations/run-redrive.ts';
import { processIo } from './command-errors.ts';
import { createSqsClient } from './sqs-client.ts';

export function registerRedriveCommand(program: Command): void {
  program
    .command('redrive')
    .description(
      "Move the messages of the dead-letter queue (DLQ_URL, or the one in QUEUE_URL's redrive policy) back to " +
        'QUEUE_URL once the cause is fixed, and report how many moved and why they had failed.',
    )
    .option('--max <N>', 'move at most N messages (default: all)')
    .action(async (flags: RedriveFlags) => {
      const config = loadConfig(process.env, ['QUEUE_URL']);
      const sqs = createSqsClient(process.env, config.AWS_REQUEST_TIMEOUT_SECONDS);
      try {
        process.exitCode = await runRedrive(
          flags,
          sqs,
          { queueUrl: config.QUEUE_URL, dlqUrl: config.DLQ_URL },
          processIo,
        );
      } finally {
        sqs.destroy();
      }
    });
}
