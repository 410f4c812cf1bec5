import { DescribeDomainCommand } from '@aws-sdk/client-opensearch';
import type { Logger } from 'pino';
import { describeError } from '../core/describe-error.ts';

export const DEFAULT_DOMAIN_CHECK_INTERVAL_MS = 60_000;

/** The parts of DescribeDomain's `DomainStatus` that tell whether the domain is being changed. */
export interface DomainProcessingFields {
  readonly Processing?: boolean | undefined;
  readonly UpgradeProcessing?: boolean | undefined;
  /** Active, Creating, Modifying, UpgradingEngineVersion, UpdatingServiceSoftware, Isolated, Deleting. */
  readonly DomainProcessingStatus?: string | undefined;
  readonly Created?: boolean | undefined;
  readonly Deleted?: boolean | undefined;
}

/** What the watch needs of an OpenSearchClient (from @aws-sdk/client-opensearch); tests pass a plain object. */
export interface DomainStatusClient {
  send(command: DescribeDomainCommand): Promise<{ DomainStatus?: DomainProcessingFields | undefined }>;
}

/**
 * True while Amazon OpenSearch Service is changing the domain: a configuration change or
 * blue/green deployment (`Processing`), an engine upgrade (`UpgradeProcessing`), or any
 * `DomainProcessingStatus` other than `Active`. An unknown future status counts as a change: a
 * needless pause costs minutes of lag (the queue keeps the messages), writing into a domain in
 * an unknown state may cost failed files. Creation in progress and deletion count too.
 */
export function domainIsChanging(status: DomainProcessingFields): boolean {
  return (
    status.Processing === true ||
    status.UpgradeProcessing === true ||
    (status.DomainProcessingStatus !== undefined && status.DomainProcessingStatus !== 'Active') ||
    status.Created === false ||
    status.Deleted === true
  );
}

/** A short description of the processing state for logs and `status`, e.g. `Modifying (Processing)`. */
export function describeDomainStatus(status: DomainProcessingFields): string {
  const flags = [
    status.Processing === true ? 'Processing' : undefined,
    status.UpgradeProcessing === true ? 'UpgradeProcessing' : undefined,
    status.Created === false ? 'not yet Created' : undefined,
    status.Deleted === true ? 'Deleted' : undefined,
  ].filter((flag) => flag !== undefined);
  const state = status.DomainProcessingStatus ?? (flags.length > 0 ? 'changing' : 'Active');
  return flags.length > 0 ? `${state} (${flags.join(', ')})` : state;
}

export interface DomainWatchOptions {
  readonly client: DomainStatusClient;
  readonly domainName: string;
  readonly logger: Logger;
  /** Default 60 s. */
  readonly intervalMs?: number;
  /** Called when the domain starts or stops changing (and not on repeated identical answers). */
  readonly onChange?: (changing: boolean, detail: string) => void;
}

export interface DomainWatch {
  /** The last known answer; false until a check succeeded. */
  readonly changing: boolean;
  /** Checks once now (awaited), then every interval until `stop()`. */
  start(): Promise<void>;
  stop(): void;
  /** One check now; on an API error it warns and returns the last known answer. Never throws. */
  check(): Promise<boolean>;
}

/**
 * The automatic pause: asks DescribeDomain every minute whether the domain is being changed or
 * upgraded. An API error (throttling, permissions, network) keeps the last known answer and
 * warns: neither a spurious resume during an upgrade nor a crash.
 */
export function createDomainWatch(options: DomainWatchOptions): DomainWatch {
  const intervalMs = options.intervalMs ?? DEFAULT_DOMAIN_CHECK_INTERVAL_MS;
  const context = { domain: options.domainName };
  let changing = false;
  let known = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  /** Bumped by start/stop so a check still in flight from an earlier run schedules nothing. */
  let run = 0;

  async function check(): Promise<boolean> {
    let fields: DomainProcessingFields | undefined;
    try {
      const output = await options.client.send(new DescribeDomainCommand({ DomainName: options.domainName }));
      fields = output.DomainStatus;
      if (!fields) throw new Error('the answer holds no DomainStatus');
    } catch (error) {
      failures += 1;
      options.logger.warn(
        { ...context, err: error, consecutiveFailures: failures, paused: changing },
        `cannot describe the OpenSearch domain (${describeError(error)}); keeping the last known state`,
      );
      return changing;
    }
    if (failures > 0) {
      options.logger.info({ ...context, after: failures }, 'describing the OpenSearch domain works again');
      failures = 0;
    }
    const next = domainIsChanging(fields);
    const detail = describeDomainStatus(fields);
    if (!known || next !== changing) {
      const wasKnown = known;
      known = true;
      changing = next;
      if (next) {
        options.logger.info(
          { ...context, state: detail },
          'the OpenSearch domain is being changed or upgraded: pausing ingestion',
        );
      } else if (wasKnown) {
        options.logger.info(
          { ...context, state: detail },
          'the OpenSearch domain change ended: resuming ingestion',
        );
      } else {
        options.logger.info({ ...context, state: detail }, 'watching the OpenSearch domain for changes');
      }
      if (next || wasKnown) notify(next, detail);
    }
    return changing;
  }

  function notify(next: boolean, detail: string): void {
    try {
      options.onChange?.(next, detail);
    } catch (error) {
      options.logger.error({ ...context, err: error }, 'domain watch listener failed');
    }
  }

  function schedule(current: number): void {
    if (!running || current !== run) return;
    timer = setTimeout(() => {
      void check().finally(() => schedule(current));
    }, intervalMs);
    timer.unref();
  }

  return {
    get changing() {
      return changing;
    },
    async start() {
      if (running) return;
      running = true;
      const current = ++run;
      await check();
      schedule(current);
    },
    stop() {
      running = false;
      run += 1;
      clearTimeout(timer);
      timer = undefined;
    },
    check,
  };
}
