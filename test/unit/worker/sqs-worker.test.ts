import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { type FileResult, FileStatus } from '../../../src/core/file-result.ts';
import type { LogFileRef } from '../../../src/core/log-file-ref.ts';
import { SqsWorker, type SqsWorkerOptions } from '../../../src/worker/sqs-worker.ts';
import { fileResultOf } from '../../helpers/file-results.ts';
import { memoryLogger } from '../../helpers/memory-logger.ts';

const QUEUE_URL = 'http://sqs.local/000000000000/notifications';

function notification(n: number): Message {
  const key = `AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/31/111122223333_CloudTrail_us-east-1_20240531T2355Z_${n}.json.gz`;
  return {
    MessageId: `m${n}`,
    ReceiptHandle: `r${n}`,
    Body: JSON.stringify({
      Records: [
        {
          eventSource: 'aws:s3',
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: 'trail' }, object: { key } },
        },
      ],
    }),
  };
}

/** SQS below sqs-consumer: a queue of messages, long polls that wait for messages, every call recorded. */
class FakeSqs {
  readonly queue: Message[] = [];
  readonly receives: number[] = [];
  /** WaitTimeSeconds of each receive, in order. */
  readonly waits: number[] = [];
  readonly deleted: string[] = [];
  readonly visibility: Array<{ handle: string; seconds: number }> = [];
  /** Receives waiting for a message right now. */
  polling = 0;
  #pollWaiters: Array<() => void> = [];

  add(...messages: Message[]): void {
    this.queue.push(...messages);
    for (const wake of this.#pollWaiters.splice(0)) wake();
  }

  async send(command: unknown): Promise<unknown> {
    if (command instanceof ReceiveMessageCommand) {
      this.waits.push(Number(command.input.WaitTimeSeconds));
      if (this.queue.length === 0) {
        // A short long poll: empty after 30 ms unless a message arrives.
        this.polling++;
        await new Promise<void>((resolve) => {
          this.#pollWaiters.push(resolve);
          setTimeout(resolve, 30);
        });
        this.polling--;
      }
      const messages = this.queue.splice(0, command.input.MaxNumberOfMessages ?? 1);
      this.receives.push(messages.length);
      return { Messages: messages };
    }
    if (command instanceof DeleteMessageCommand) {
      this.deleted.push(String(command.input.ReceiptHandle));
      return {};
    }
    if (command instanceof ChangeMessageVisibilityCommand) {
      this.visibility.push({
        handle: String(command.input.ReceiptHandle),
        seconds: Number(command.input.VisibilityTimeout),
      });
      return {};
    }
    throw new Error(`unexpected command ${(command as object).constructor.name}`);
  }
}

/** processFile as tests drive it: files finish when the test says, with the status it says. */
class Files {
  readonly started: string[] = [];
  #running = 0;
  maxRunning = 0;
  readonly #finish = new Map<string, (status: FileStatus) => void>();
  /** Files named here finish at once with this status; the others wait for `finish`. */
  readonly immediate = new Map<string, FileStatus>();
  #slots: Array<() => void> = [];

  readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  async process(ref: LogFileRef): Promise<FileResult> {
    while (this.#running >= this.limit) await new Promise<void>((resolve) => this.#slots.push(resolve));
    this.#running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.#running);
    const id = /_(\d+)\.json\.gz$/.exec(ref.key)?.[1] ?? '?';
    this.started.push(id);
    try {
      const status =
        this.immediate.get(id) ?? (await new Promise<FileStatus>((resolve) => this.#finish.set(id, resolve)));
      return fileResultOf(ref.name, status);
    } finally {
      this.#running -= 1;
      this.#slots.shift()?.();
    }
  }

  finish(id: string, status: FileStatus = FileStatus.Indexed): void {
    const resolve = this.#finish.get(id);
    if (!resolve) throw new Error(`file ${id} is not waiting`);
    this.#finish.delete(id);
    resolve(status);
  }
}

const OPTIONS: SqsWorkerOptions = {
  queueUrl: QUEUE_URL,
  visibilityTimeoutSeconds: 300,
  heartbeatSeconds: 60,
  retryDelaySeconds: 30,
  batchSize: 10,
  filesInFlight: 4,
  waitTimeSeconds: 1,
};

const workers: SqsWorker[] = [];

function start(options: Partial<SqsWorkerOptions> = {}) {
  const sqs = new FakeSqs();
  const files = new Files(options.filesInFlight ?? OPTIONS.filesInFlight);
  const log = memoryLogger();
  const worker = new SqsWorker(
    { ...OPTIONS, ...options },
    {
      sqs: sqs as unknown as SQSClient,
      logger: log.logger,
      keyPrefix: '',
      refFor: (object) => ({
        name: `s3://${object.bucket}/${object.key}`,
        key: object.key,
        open: async () => [],
      }),
      processFile: (ref) => files.process(ref),
    },
  );
  workers.push(worker);
  worker.start();
  return { sqs, files, worker, log };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const settle = (ms = 100) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(async () => {
  for (const worker of workers.splice(0)) worker.stopReceiving();
});

describe('SqsWorker', () => {
  it('receives the next batch while a slow file of the last one is still in flight', async () => {
    const { sqs, files } = start();
    for (let n = 2; n <= 14; n++) files.immediate.set(String(n), FileStatus.Indexed);
    sqs.add(...Array.from({ length: 14 }, (_, i) => notification(i + 1)));
    // File 1 never finishes here; the 13 others, four of them from a second receive, all do.
    await until(() => sqs.deleted.length === 13, 'the 13 other messages are deleted');
    expect(sqs.receives.filter((count) => count > 0)).toEqual([10, 4]);
    expect(sqs.deleted).not.toContain('r1');
    files.finish('1');
    await until(() => sqs.deleted.includes('r1'), 'message 1 is deleted once its file is done');
  });

  it('holds at most FILES_IN_FLIGHT + one batch of messages, and never runs more files than slots', async () => {
    const { sqs, files, worker } = start();
    sqs.add(...Array.from({ length: 40 }, (_, i) => notification(i + 1)));
    await until(() => files.started.length === 4, 'four files run');
    await settle();
    expect(worker.inFlight).toBe(10);
    // A file ends: 9 held, more than the 4 slots, so no receive yet.
    files.finish('1');
    await settle();
    expect(sqs.receives.filter((count) => count > 0)).toEqual([10]);
    // Once no more messages are held than there are slots, the next batch comes.
    for (const id of ['2', '3', '4', '5', '6', '7']) {
      await until(() => files.started.includes(id), `file ${id} runs`);
      files.finish(id);
    }
    await until(() => sqs.receives.filter((count) => count > 0).length === 2, 'a second receive');
    await settle();
    expect(worker.inFlight).toBeLessThanOrEqual(4 + 10);
    expect(files.maxRunning).toBe(4);
  });

  it('deletes a message only once its files are indexed, and leaves one to retry for later', async () => {
    const { sqs, files } = start();
    sqs.add(notification(1), notification(2));
    await until(() => files.started.length === 2, 'both files run');
    await settle(50);
    expect(sqs.deleted).toEqual([]);
    files.finish('1', FileStatus.Retry);
    files.finish('2');
    await until(() => sqs.deleted.length === 1 && sqs.visibility.length === 1, 'both are decided');
    expect(sqs.deleted).toEqual(['r2']);
    expect(sqs.visibility).toEqual([{ handle: 'r1', seconds: 30 }]);
  });

  it('extends the visibility of a held message until its files are done', async () => {
    const { sqs, files } = start({ heartbeatSeconds: 0.05 });
    sqs.add(notification(1));
    await until(() => sqs.visibility.length >= 2, 'two heartbeats');
    expect(sqs.visibility.every((entry) => entry.handle === 'r1' && entry.seconds === 300)).toBe(true);
    files.finish('1');
    await until(() => sqs.deleted.includes('r1'), 'message 1 is deleted');
    const beats = sqs.visibility.length;
    await settle(150);
    expect(sqs.visibility.length).toBe(beats);
  });

  it('makes no receive while stopped, even when a slot frees', async () => {
    const { sqs, files, worker, log } = start({ filesInFlight: 1, batchSize: 2 });
    sqs.add(notification(1), notification(2), notification(3));
    await until(() => files.started.length === 1, 'a file runs');
    worker.stopReceiving();
    files.finish('1');
    await until(() => files.started.length === 2, 'the held second message runs');
    files.finish('2');
    await settle();
    expect(sqs.receives).toEqual([2]);
    expect(sqs.queue).toHaveLength(1);
    expect(log.messages('warn')).toEqual([]);
    worker.start();
    await until(() => files.started.length === 3, 'resumed: the third message runs');
    files.finish('3');
  });

  it('goes on receiving after pauses and resumes at any moment of the loop', async () => {
    const { sqs, files, worker } = start({ filesInFlight: 2, batchSize: 3 });
    for (let n = 1; n <= 30; n++)
      files.immediate.set(String(n), n % 3 === 0 ? FileStatus.Retry : FileStatus.Indexed);
    sqs.add(...Array.from({ length: 30 }, (_, i) => notification(i + 1)));
    for (let toggle = 0; toggle < 40; toggle++) {
      worker.stopReceiving();
      await new Promise((resolve) => setTimeout(resolve, toggle % 7));
      worker.start();
      await new Promise((resolve) => setTimeout(resolve, toggle % 5));
    }
    await until(() => sqs.deleted.length + sqs.visibility.length === 30, 'every message is decided');
    expect(new Set(sqs.deleted).size).toBe(20);
  });

  it('long-polls in full while idle, and for a second only while messages are held', async () => {
    const { sqs, files } = start({ waitTimeSeconds: 20 });
    await until(() => sqs.waits.length >= 1, 'an idle receive');
    sqs.add(notification(1));
    await until(() => files.started.length === 1, 'the file runs');
    await until(() => sqs.waits.length >= 3, 'receives while busy');
    expect(sqs.waits[0]).toBe(20);
    expect(sqs.waits.at(-1)).toBe(1);
    files.finish('1');
    await until(() => sqs.deleted.includes('r1'), 'message 1 is deleted');
    const busy = sqs.waits.length;
    await until(() => sqs.waits.length > busy + 1, 'receives after the file');
    expect(sqs.waits.at(-1)).toBe(20);
  });

  it('releases at once, on drain, what arrives after shutdown began', async () => {
    const { sqs, files, worker } = start();
    files.immediate.set('1', FileStatus.Indexed);
    sqs.add(notification(1));
    await until(() => sqs.deleted.includes('r1'), 'message 1 is deleted');
    // Once the next long poll is under way (on a loaded machine it may not be yet), a message arrives
    // while the worker drains.
    await until(() => sqs.polling > 0, 'the next long poll');
    const drained = worker.drain(1000);
    sqs.add(notification(2));
    expect(await drained).toEqual({ finished: true });
    expect(files.started).toEqual(['1']);
    expect(sqs.visibility).toEqual([{ handle: 'r2', seconds: 0 }]);
  });
});
