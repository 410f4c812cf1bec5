import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
import { FileStatus } from '../core/file-result.ts';
import { sendToDeadLetterQueue } from './dead-letter.ts';
import { type HandledMessage, handleNotification, type NotificationDeps } from './handle-notification.ts';
import { ReceiveCancelled, ReceiveGate } from './receive-gate.ts';

/** The long-poll wait while messages are held (see #adjustWaitTime); SQS's minimum for a long poll is 1 s. */
const BUSY_WAIT_TIME_SECONDS = 1;

export interface SqsWorkerOptions {
  readonly queueUrl: string;
  /** Where poison messages go at once; without it they stay until the queue's redrive policy moves them. */
  readonly dlqUrl?: string | undefined;
  /** Hidden this long after each receive, and again on every heartbeat while its files are in flight. */
  readonly visibilityTimeoutSeconds: number;
  readonly heartbeatSeconds: number;
  /** A failed message becomes visible again after this long (not at once: the cause needs time). */
  readonly retryDelaySeconds: number;
  /** Messages per receive (SQS allows at most 10). */
  readonly batchSize: number;
  /**
   * Files processed at once (FILES_IN_FLIGHT): the next receive is made once no more messages than
   * this are held, so a batch is fetched while the previous one still runs its last files.
   */
  readonly filesInFlight: number;
  /** Long-poll wait; 20 s is SQS's maximum. */
  readonly waitTimeSeconds: number;
}

export interface SqsWorkerDeps extends Omit<NotificationDeps, 'processFile'> {
  readonly sqs: SQSClient;
  processFile: NotificationDeps['processFile'];
  /** Called once per handled message, for metrics and backpressure. */
  onMessage?(handled: HandledMessage): void;
  /** Called when receiving fails (SQS unreachable): logged by the worker, and counted by the caller. */
  onReceiveError?(error: Error): void;
  readonly now?: () => number;
}

/**
 * One SQS consumer: long-polls the queue, hands each message to the pipeline, and acknowledges a
 * message only when every file it announced is delivered (or skipped on purpose). Messages that can
 * never succeed go to the dead-letter queue intact; failed ones come back later. While a message is
 * held its visibility timeout is extended, so no file is processed twice at the same time.
 *
 * sqs-consumer does the polling (long polls, errors, back-off), but its handler only admits a message:
 * the consumer awaits every handler of a batch before it receives again, so a handler that processed
 * the files would leave file slots idle behind each batch's slowest file. The worker heartbeats,
 * deletes and releases its messages itself, and gates each receive on free slots (ReceiveGate).
 */
export class SqsWorker {
  readonly #options: SqsWorkerOptions;
  readonly #deps: SqsWorkerDeps;
  readonly #consumer: Consumer;
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #gate: ReceiveGate;
  #abort = new AbortController();
  #lastActivity: number;
  #running = false;
  /** Set by drain(): what a long poll still delivers is released, not processed. */
  #draining = false;
  #waitTimeSeconds: number;

  constructor(options: SqsWorkerOptions, deps: SqsWorkerDeps) {
    this.#options = options;
    this.#deps = deps;
    this.#lastActivity = this.#now();
    this.#gate = new ReceiveGate(options.filesInFlight);
    this.#waitTimeSeconds = options.waitTimeSeconds;
    this.#consumer = Consumer.create({
      queueUrl: options.queueUrl,
      sqs: deps.sqs,
      batchSize: options.batchSize,
      waitTimeSeconds: options.waitTimeSeconds,
      visibilityTimeout: options.visibilityTimeoutSeconds,
      preReceiveMessageCallback: async () => {
        await this.#gate.untilRoom();
        this.#deps.logger.debug(
          { held: this.#gate.held, waitTimeSeconds: this.#waitTimeSeconds },
          'receiving',
        );
      },
      // Returns at once without the message, so sqs-consumer neither waits for it nor deletes it.
      handleMessage: async (message) => {
        this.#admit(message);
        return undefined;
      },
    });
    this.#consumer.on('error', (error, message) => {
      // Receiving was stopped while the loop waited for a free slot: nothing was asked of SQS.
      if (error.cause instanceof ReceiveCancelled) return;
      if (message) {
        const messageId = Array.isArray(message) ? message.map((m) => m.MessageId) : message.MessageId;
        this.#deps.logger.warn({ messageId, err: error }, 'an SQS request for a message failed');
        return;
      }
      this.#deps.logger.warn(
        { queueUrl: options.queueUrl, err: error },
        'receiving from SQS failed; will retry',
      );
      this.#deps.onReceiveError?.(error);
    });
    for (const event of ['empty', 'response_processed'] as const) {
      this.#consumer.on(event, () => {
        this.#lastActivity = this.#now();
      });
    }
  }

  /** Starts (or resumes) receiving. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#lastActivity = this.#now();
    this.#startConsumerWhenSettled();
  }

  /**
   * A receive of the previous run may still be under way (stop() lets it finish); the consumer is
   * started again only after it, since starting beside it would run two polling loops at once.
   */
  #startConsumerWhenSettled(): void {
    if (!this.#running) return;
    if (this.#consumer.status.isPolling) {
      setTimeout(() => this.#startConsumerWhenSettled(), 50);
      return;
    }
    this.#consumer.start();
  }

  /** Stops receiving; files in flight go on. A long poll under way still delivers what it receives. */
  stopReceiving(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#consumer.stop();
    // A loop waiting for a free slot must not receive once the slot frees.
    this.#gate.cancel();
  }

  get receiving(): boolean {
    return this.#running;
  }

  /** Messages held: being processed, or received and waiting for a free file slot. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** For liveness: when the polling loop last completed a receive (or when it was last started). */
  get lastActivity(): number {
    return this.#lastActivity;
  }

  /**
   * Shutdown: stop receiving, let the files in flight finish within the grace period, then abort the
   * rest, whose messages are made visible again at once for another worker.
   */
  async drain(graceMs: number): Promise<{ finished: boolean }> {
    this.#draining = true;
    this.stopReceiving();
    // The last poll ends within its wait time whatever the files do; it is waited for meanwhile.
    const polled = this.#settleConsumer();
    const settled = Promise.allSettled([...this.#inFlight]).then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    });
    const finished = await Promise.race([settled, timedOut]);
    clearTimeout(timer);
    if (!finished) {
      this.#abort.abort();
      await Promise.allSettled([...this.#inFlight]);
    }
    await polled;
    // What that last poll delivered is being released (admitted after the snapshot above).
    await Promise.allSettled([...this.#inFlight]);
    return { finished };
  }

  /**
   * Waits until the consumer has deleted or released what it handled, including the answer to a
   * long poll still under way (at most its wait time). That poll is waited for, not aborted: SQS
   * keeps an abandoned long poll open and hands it messages anyway, which then stay hidden until
   * their visibility timeout with nobody to process them (aws-sdk-js#2350, also seen on LocalStack).
   * What it returns now is released at once by #handle.
   * sqs-consumer can do this wait itself (`pollingCompleteWaitTimeMs`, then its 'stopped' event), but it
   * checks once a second (15.0.3's waitForPollingToComplete), and shutdown would wait up to a second
   * longer for nothing; this loop checks every 50 ms, as the restart after a pause does
   * (#startConsumerWhenSettled).
   */
  async #settleConsumer(): Promise<void> {
    const deadline = this.#now() + (this.#options.waitTimeSeconds + 10) * 1000;
    while (this.#consumer.status.isPolling && this.#now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  #now(): number {
    return (this.#deps.now ?? Date.now)();
  }

  /**
   * Takes a received message in: held (its visibility extended by a heartbeat) until it is deleted,
   * dead-lettered or released. Its files wait for free slots in `processFile`.
   */
  #admit(message: Message): void {
    this.#gate.hold();
    this.#adjustWaitTime();
    const heartbeat = setInterval(() => {
      void this.#changeVisibility(message, this.#options.visibilityTimeoutSeconds);
    }, this.#options.heartbeatSeconds * 1000);
    const stopHeartbeat = (): void => clearInterval(heartbeat);
    const work = this.#settle(message, stopHeartbeat)
      .catch((error: unknown) => {
        // Only a bug gets here (the handler turns every expected failure into a decision); the message
        // stays on the queue and comes back after its visibility timeout.
        this.#deps.logger.error({ messageId: message.MessageId, err: error }, 'message handler failed');
      })
      .finally(() => {
        stopHeartbeat();
        this.#gate.release();
        this.#adjustWaitTime();
        this.#inFlight.delete(work);
        this.#lastActivity = this.#now();
      });
    this.#inFlight.add(work);
  }

  /**
   * While messages are held, receives wait at most BUSY_WAIT_TIME_SECONDS for an empty queue: the
   * worker then still learns of new messages as soon as a slot frees, and a shutdown never waits
   * a whole long poll for the receive made ahead of the files in flight. Idle, it long-polls in full.
   */
  #adjustWaitTime(): void {
    const wanted =
      this.#gate.held > 0
        ? Math.min(BUSY_WAIT_TIME_SECONDS, this.#options.waitTimeSeconds)
        : this.#options.waitTimeSeconds;
    if (wanted === this.#waitTimeSeconds) return;
    this.#waitTimeSeconds = wanted;
    this.#consumer.updateOption('waitTimeSeconds', wanted);
  }

  async #settle(message: Message, stopHeartbeat: () => void): Promise<void> {
    const done = await this.#handle(message, stopHeartbeat);
    if (done) await this.#delete(message);
  }

  async #delete(message: Message): Promise<void> {
    try {
      await this.#deps.sqs.send(
        new DeleteMessageCommand({ QueueUrl: this.#options.queueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
    } catch (error) {
      // It comes back after its visibility timeout; indexing it again changes nothing (create, _id).
      this.#deps.logger.warn(
        { messageId: message.MessageId, err: error },
        'could not delete the message; it will come back',
      );
    }
  }

  /** Processes one message and decides its fate; returns it when it is to be deleted. */
  async #handle(message: Message, stopHeartbeat: () => void): Promise<Message | undefined> {
    const { logger } = this.#deps;
    const messageId = message.MessageId;
    if (this.#draining) {
      stopHeartbeat();
      // Delivered by the last long poll after shutdown began: another worker can take it now.
      await this.#changeVisibility(message, 0);
      logger.info({ messageId }, 'message received while shutting down; released for another worker');
      return undefined;
    }
    const handled = await handleNotification(message.Body ?? '', this.#deps, this.#abort.signal);
    // Decided: a heartbeat now would undo a retry delay set below.
    stopHeartbeat();
    this.#deps.onMessage?.(handled);
    const decision = handled.decision;
    if (decision.action === 'ack') {
      if (handled.notification?.format === 's3-test-event')
        logger.info({ messageId }, 'S3 test event acknowledged');
      return message;
    }
    if (decision.action === 'dead-letter') {
      // The reason is logged once: a rejected file's summary line has it already, so this line
      // names the files; a message refused as a whole has no other line, so this one carries it.
      const rejected = handled.files.filter((file) => file.status === FileStatus.Rejected);
      const why =
        rejected.length > 0 ? { files: rejected.map((file) => file.file) } : { reason: decision.reason };
      if (!this.#options.dlqUrl) {
        logger.error(
          { messageId, ...why },
          'message can never succeed; DLQ_URL is not set, so it stays until the queue redrive policy moves it',
        );
        return undefined;
      }
      try {
        await sendToDeadLetterQueue(
          this.#deps.sqs,
          this.#options.dlqUrl,
          message,
          decision.reason,
          this.#options.queueUrl,
        );
      } catch (error) {
        // Not deleted either: it comes back after its visibility timeout and is decided again.
        logger.warn(
          { messageId, dlqUrl: this.#options.dlqUrl, err: error },
          'could not move the message to the dead-letter queue; it will come back',
        );
        return undefined;
      }
      logger.error(
        { messageId, dlqUrl: this.#options.dlqUrl, ...why },
        'message moved to the dead-letter queue',
      );
      return message;
    }
    // Shutdown: someone else may take it now. Otherwise give the cause a little time.
    const visibility = this.#abort.signal.aborted ? 0 : this.#options.retryDelaySeconds;
    await this.#changeVisibility(message, visibility);
    logger.warn(
      { messageId, retryInSeconds: visibility, reason: decision.reason },
      'message left on the queue for another try',
    );
    return undefined;
  }

  async #changeVisibility(message: Message, seconds: number): Promise<void> {
    try {
      await this.#deps.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.#options.queueUrl,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    } catch (error) {
      // The message still comes back when its current visibility timeout runs out.
      this.#deps.logger.warn(
        { messageId: message.MessageId, err: error },
        'could not change message visibility',
      );
    }
  }
}
