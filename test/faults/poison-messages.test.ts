import { gzipSync } from 'node:zlib';
import type { Message } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticLogFile } from '../helpers/synthetic-log.ts';
import { fileWithBody } from './harness/log-files.ts';
import { s3Notification } from './harness/notifications.ts';
import { cleanOutcome, createScenario, type Scenario } from './harness/scenario.ts';

const MAX_OBJECT_BYTES = 1_000_000;

describe('fault: poison messages mixed with good ones', () => {
  let scenario: Scenario;

  beforeAll(async () => {
    scenario = await createScenario('poison', 'poison messages mixed with good ones');
  });

  afterAll(async () => {
    await scenario?.cleanup();
  });

  it('indexes the good files and moves each poison message to the DLQ, its reason logged once', async () => {
    const worker = await scenario.startWorker({ MAX_OBJECT_BYTES: String(MAX_OBJECT_BYTES) });
    const { fixture } = scenario;
    const good = Array.from({ length: 5 }, (_, n) => syntheticLogFile(1_000, `poison-good-${n}`));
    const large = syntheticLogFile(20_000, 'poison-too-large');
    expect(large.body.length).toBeGreaterThan(MAX_OBJECT_BYTES);
    const poisonFiles = {
      'corrupt gzip': fileWithBody(
        'poison-corrupt-gzip',
        Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(512, 7)]),
      ),
      'gzip of non-CloudTrail JSON': fileWithBody(
        'poison-not-cloudtrail',
        gzipSync('{"items":[{"id":1},{"id":2}]}'),
      ),
      'file over MAX_OBJECT_BYTES': large,
    };
    const missingKey = syntheticLogFile(1, 'poison-missing').key;
    const poisonBodies = {
      'unparseable body': 'this is {not JSON',
      'unknown format': JSON.stringify({ hello: 'world', items: [1, 2] }),
      'S3 event with an empty Records array': '{"Records":[]}',
      'missing object': s3Notification(fixture.bucket, missingKey),
    };
    // Real CloudTrail does write log files with no events: harmless, acknowledged, not poison.
    const emptyLog = fileWithBody('poison-empty-records', gzipSync('{"Records":[]}'));

    for (const [n, file] of good.entries()) {
      await scenario.upload(file);
      const poison = Object.values(poisonFiles)[n];
      if (poison) await scenario.upload(poison, { expected: false });
      const body = Object.values(poisonBodies)[n];
      if (body) await fixture.send(body);
    }
    scenario.countFile();
    await scenario.upload(emptyLog);
    const poisonCount = Object.keys(poisonFiles).length + Object.keys(poisonBodies).length;

    await scenario.waitForIngestion(120_000);
    const dead = await collectDeadLetters(scenario, poisonCount);
    const verdict = await scenario.verify(poisonCount);
    expect(verdict).toMatchObject(cleanOutcome(verdict));
    expect(worker.child.exitCode).toBeNull();

    // Each poison message is in the DLQ, intact, with its reason.
    const bodies = dead.map((message) => message.Body ?? '');
    for (const body of Object.values(poisonBodies)) expect(bodies).toContain(body);
    for (const file of Object.values(poisonFiles))
      expect(bodies.some((body) => body.includes(file.key))).toBe(true);
    expect(bodies.some((body) => body.includes(emptyLog.key))).toBe(false);
    const reasons = dead.map((message) => message.MessageAttributes?.reason?.StringValue ?? '');
    expect(reasons.every((reason) => reason !== '')).toBe(true);
    console.log(
      `faults: dead-letter reasons:\n  ${reasons.map((reason) => reason.slice(0, 160)).join('\n  ')}`,
    );

    // ...and its reason appears on exactly one log line, however many lines the worker wrote.
    const withReason = worker.logs().filter((line) => typeof line.reason === 'string' && line.reason !== '');
    for (const reason of reasons) {
      const lines = withReason.filter((line) => reason.includes(line.reason as string));
      expect({ reason, lines: lines.length }).toEqual({ reason, lines: 1 });
    }
  });
});

async function collectDeadLetters(scenario: Scenario, expected: number): Promise<Message[]> {
  const seen = new Map<string, Message>();
  const deadline = Date.now() + 30_000;
  while (seen.size < expected && Date.now() < deadline) {
    for (const message of await scenario.fixture.deadLetters())
      seen.set(message.MessageId as string, message);
  }
  return [...seen.values()];
}
