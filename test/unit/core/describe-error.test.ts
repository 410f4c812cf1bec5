import { describe, expect, it } from 'vitest';
import { describeError } from '../../../src/core/describe-error.ts';

describe('describeError', () => {
  it.each([
    [
      Object.assign(new Error('Queue does not exist.'), { name: 'QueueDoesNotExist' }),
      'QueueDoesNotExist: Queue does not exist',
    ],
    [Object.assign(new Error(''), { name: 'ParameterNotFound' }), 'ParameterNotFound'],
    [
      new AggregateError([new Error('connect ECONNREFUSED 127.0.0.1:1')], ''),
      'AggregateError: connect ECONNREFUSED 127.0.0.1:1',
    ],
    [Object.assign(new Error(''), { code: 'ECONNRESET' }), 'ECONNRESET'],
    [new Error('', { cause: new TypeError('fetch failed') }), 'TypeError: fetch failed'],
    ['plain string', 'plain string'],
  ])('describes %s', (error, expected) => {
    expect(describeError(error)).toBe(expected);
  });
});
