import { describe, expect, it } from 'vitest';
import { queueNameOf } from '../../../src/control/queue-depth.ts';

describe('queueNameOf', () => {
  it.each([
    ['https://sqs.us-east-1.amazonaws.com/123456789012/cloudtrail-indexer', 'cloudtrail-indexer'],
    ['http://127.0.0.1:14566/queue/us-east-1/000000000000/cloudtrail-indexer-dlq', 'cloudtrail-indexer-dlq'],
    ['http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/q/', 'q'],
  ])('finds the name in %s', (url, name) => {
    expect(queueNameOf(url)).toBe(name);
  });
});
