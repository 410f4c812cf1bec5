import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DescribeDomainCommand } from '@aws-sdk/client-opensearch';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { describeError } from '../core/describe-error.ts';
import type { DomainStatusClient } from './domain-watch.ts';
import { describeDomainStatus, domainIsChanging } from './domain-watch.ts';
import type { OldestMessageAge } from './oldest-message-age.ts';
import { readOldestMessageAges } from './oldest-message-age.ts';
import type { PauseState, PauseSwitch } from './pause-switch.ts';
import type { QueueDepth } from './queue-depth.ts';
import { queueNameOf, queueUrlOfArn, readQueueDepth } from './queue-depth.ts';

export interface StatusSources {
  readonly pauseSwitch: Pick<PauseSwitch, 'read' | 'parameterName'>;
  readonly sqs: Pick<SQSClient, 'send'>;
  /** Absent: the age of the oldest message is reported unavailable. */
  readonly cloudwatch?: Pick<CloudWatchClient, 'send'>;
  /** The Amazon OpenSearch Service domain the workers watch, when configured. */
  readonly domain?: { readonly name: string; readonly client: DomainStatusClient };
}

export interface StatusSettings {
  readonly queueUrl: string;
  /** Absent: the dead-letter queue is found through the queue's redrive policy. */
  readonly dlqUrl?: string | undefined;
  readonly now?: Date;
}

export type QueueStatus = QueueDepth & { readonly oldestMessage?: OldestMessageAge };

export interface DomainReport {
  readonly name: string;
  /** Undefined when DescribeDomain failed; `error` says why. */
  readonly changing?: boolean;
  readonly state?: string;
  readonly error?: string;
}

export interface IngestionStatus {
  readonly pauseParameter: string;
  /** Undefined when the pause switch could not be read (see `errors`). */
  readonly pause: PauseState | undefined;
  readonly queue: QueueStatus | undefined;
  readonly deadLetterQueue: QueueStatus | undefined;
  /** Where the dead-letter queue's URL came from. */
  readonly deadLetterQueueFrom: 'DLQ_URL' | 'redrive policy' | undefined;
  readonly oldestMessageAge:
    | { readonly available: true }
    | { readonly available: false; readonly reason: string };
  readonly domain: DomainReport | undefined;
  /** What could not be read of the essentials (pause switch, queues): one sentence each. */
  readonly errors: readonly string[];
  /** Things worth an operator's eye that are not failures. */
  readonly notes: readonly string[];
}

/**
 * Everything `status` shows, gathered with each part's failure caught: a broken part is reported,
 * the others still shown. The essentials (pause switch, queue depths) go to `errors`; the
 * extras (age of the oldest message, domain state) say "unavailable" with their reason.
 */
export async function collectIngestionStatus(
  sources: StatusSources,
  settings: StatusSettings,
): Promise<IngestionStatus> {
  const errors: string[] = [];
  const notes: string[] = [];
  const failed = (error: unknown): undefined => {
    errors.push(error instanceof Error ? error.message : String(error));
    return undefined;
  };

  const [pause, queue, configuredDlq, domain] = await Promise.all([
    sources.pauseSwitch.read().catch(failed),
    readQueueDepth(sources.sqs, settings.queueUrl).catch(failed),
    settings.dlqUrl
      ? readQueueDepth(sources.sqs, settings.dlqUrl, 'dead-letter queue').catch(failed)
      : undefined,
    sources.domain ? readDomain(sources.domain) : undefined,
  ]);

  let deadLetterQueue: QueueDepth | undefined = configuredDlq;
  let deadLetterQueueFrom: IngestionStatus['deadLetterQueueFrom'] = settings.dlqUrl ? 'DLQ_URL' : undefined;
  const target = queue?.deadLetterTargetArn;
  if (!settings.dlqUrl && target) {
    deadLetterQueueFrom = 'redrive policy';
    deadLetterQueue = await queueUrlOfArn(sources.sqs, target)
      .then((url) => readQueueDepth(sources.sqs, url, 'dead-letter queue'))
      .catch(failed);
  } else if (settings.dlqUrl && target && queueNameOf(settings.dlqUrl) !== target.split(':').at(-1)) {
    notes.push(
      `DLQ_URL names the queue ${queueNameOf(settings.dlqUrl)}, but the redrive policy of ${queueNameOf(settings.queueUrl)} moves failed messages to ${target}.`,
    );
  } else if (queue && !target) {
    notes.push(
      `The queue ${queue.name} has no redrive policy: a message that always fails is retried until it expires.`,
    );
  }

  const names = [queue, deadLetterQueue].filter((known) => known !== undefined).map((known) => known.name);
  const ages =
    sources.cloudwatch && names.length > 0
      ? await readOldestMessageAges(sources.cloudwatch, names, settings.now)
      : ({ available: false, reason: 'CloudWatch not consulted' } as const);
  const withAge = (depth: QueueDepth | undefined): QueueStatus | undefined => {
    if (!depth) return undefined;
    const age = ages.available ? ages.byQueue.get(depth.name) : undefined;
    return age ? { ...depth, oldestMessage: age } : depth;
  };

  return {
    pauseParameter: sources.pauseSwitch.parameterName,
    pause,
    queue: withAge(queue),
    deadLetterQueue: withAge(deadLetterQueue),
    deadLetterQueueFrom,
    oldestMessageAge: ages.available ? { available: true } : ages,
    domain,
    errors,
    notes,
  };
}

async function readDomain(domain: NonNullable<StatusSources['domain']>): Promise<DomainReport> {
  try {
    const { DomainStatus } = await domain.client.send(new DescribeDomainCommand({ DomainName: domain.name }));
    if (!DomainStatus) return { name: domain.name, error: 'DescribeDomain returned no DomainStatus' };
    return {
      name: domain.name,
      changing: domainIsChanging(DomainStatus),
      state: describeDomainStatus(DomainStatus),
    };
  } catch (error) {
    return { name: domain.name, error: describeError(error) };
  }
}
