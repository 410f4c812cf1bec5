import { describe, expect, it } from 'vitest';
import { chooseMode } from '../../../scripts/stack/mode.ts';
import { parseDotenv } from '../../../scripts/stack/stack.ts';

describe('parseDotenv', () => {
  it('reads KEY=value lines and ignores comments and blanks', () => {
    expect(
      parseDotenv('# local stack\nOPENSEARCH_URL=http://127.0.0.1:9200\n\nQUEUE_URL=http://h/q?a=b\n'),
    ).toEqual({
      OPENSEARCH_URL: 'http://127.0.0.1:9200',
      QUEUE_URL: 'http://h/q?a=b',
    });
  });
});

describe('chooseMode', () => {
  it('rejects an unknown STACK_MODE with a sentence naming it', () => {
    const previous = process.env.STACK_MODE;
    process.env.STACK_MODE = 'vm';
    try {
      expect(() => chooseMode()).toThrow('STACK_MODE must be "processes" or "containers", not "vm".');
    } finally {
      if (previous === undefined) delete process.env.STACK_MODE;
      else process.env.STACK_MODE = previous;
    }
  });

  it('honours STACK_MODE, and picks processes when it is unset whatever Docker answers', () => {
    const previous = process.env.STACK_MODE;
    try {
      process.env.STACK_MODE = 'containers';
      expect(chooseMode()).toBe('containers');
      process.env.STACK_MODE = 'processes';
      expect(chooseMode()).toBe('processes');
      delete process.env.STACK_MODE;
      expect(chooseMode()).toBe('processes');
    } finally {
      if (previous === undefined) delete process.env.STACK_MODE;
      else process.env.STACK_MODE = previous;
    }
  });
});
