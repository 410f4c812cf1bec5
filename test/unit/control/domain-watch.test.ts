import { DescribeDomainCommand, OpenSearchClient } from '@aws-sdk/client-opensearch';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DomainProcessingFields, DomainStatusClient } from '../../../src/control/domain-watch.ts';
import {
  createDomainWatch,
  describeDomainStatus,
  domainIsChanging,
} from '../../../src/control/domain-watch.ts';
import { memoryLogger } from '../../helpers/memory-logger.ts';

describe('domainIsChanging', () => {
  describe.each<{ status: DomainProcessingFields; changing: boolean; described: string }>([
    { status: {}, changing: false, described: 'Active' },
    {
      status: { Processing: false, UpgradeProcessing: false, DomainProcessingStatus: 'Active' },
      changing: false,
      described: 'Active',
    },
    {
      status: { Created: true, Deleted: false, DomainProcessingStatus: 'Active' },
      changing: false,
      described: 'Active',
    },
    {
      status: { Processing: true, DomainProcessingStatus: 'Modifying' },
      changing: true,
      described: 'Modifying (Processing)',
    },
    { status: { Processing: true }, changing: true, described: 'changing (Processing)' },
    {
      status: { Processing: true, UpgradeProcessing: true, DomainProcessingStatus: 'UpgradingEngineVersion' },
      changing: true,
      described: 'UpgradingEngineVersion (Processing, UpgradeProcessing)',
    },
    {
      status: { UpgradeProcessing: true, DomainProcessingStatus: 'Active' },
      changing: true,
      described: 'Active (UpgradeProcessing)',
    },
    {
      status: { Processing: false, DomainProcessingStatus: 'UpdatingServiceSoftware' },
      changing: true,
      described: 'UpdatingServiceSoftware',
    },
    {
      status: { DomainProcessingStatus: 'Creating', Created: false },
      changing: true,
      described: 'Creating (not yet Created)',
    },
    {
      status: { DomainProcessingStatus: 'Deleting', Deleted: true },
      changing: true,
      described: 'Deleting (Deleted)',
    },
    { status: { DomainProcessingStatus: 'Isolated' }, changing: true, described: 'Isolated' },
    { status: { DomainProcessingStatus: 'SomethingNew' }, changing: true, described: 'SomethingNew' },
    { status: { Processing: false, UpgradeProcessing: false }, changing: false, described: 'Active' },
  ])('$status', ({ status, changing, described }) => {
    it(`is ${changing ? 'changing' : 'not changing'} and reads "${described}"`, () => {
      expect(domainIsChanging(status)).toBe(changing);
      expect(describeDomainStatus(status)).toBe(described);
    });
  });
});

type Answer = DomainProcessingFields | Error | 'empty';

const active: Answer = { Processing: false, UpgradeProcessing: false, DomainProcessingStatus: 'Active' };
const modifying: Answer = { Processing: true, UpgradeProcessing: false, DomainProcessingStatus: 'Modifying' };
const upgrading: Answer = {
  Processing: true,
  UpgradeProcessing: true,
  DomainProcessingStatus: 'UpgradingEngineVersion',
};
const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
const denied = Object.assign(new Error('not authorized to perform es:DescribeDomain'), {
  name: 'AccessDeniedException',
});

/** A stand-in for OpenSearchClient: a plain object with `send`, answering from a script. */
function scriptedClient(answers: readonly Answer[]): {
  client: DomainStatusClient;
  sent: DescribeDomainCommand[];
} {
  const sent: DescribeDomainCommand[] = [];
  let next = 0;
  return {
    sent,
    client: {
      send: async (command) => {
        sent.push(command);
        const answer = answers[Math.min(next++, answers.length - 1)] as Answer;
        if (answer instanceof Error) throw answer;
        return answer === 'empty' ? {} : { DomainStatus: answer };
      },
    },
  };
}

describe('createDomainWatch', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe.each<{ name: string; answers: Answer[]; changes: boolean[]; final: boolean; warnings: number }>([
    { name: 'an active domain', answers: [active, active], changes: [], final: false, warnings: 0 },
    {
      name: 'a domain already being modified',
      answers: [modifying],
      changes: [true],
      final: true,
      warnings: 0,
    },
    {
      name: 'an upgrade that starts and ends',
      answers: [active, upgrading, upgrading, upgrading, active, active],
      changes: [true, false],
      final: false,
      warnings: 0,
    },
    {
      name: 'a modification followed by an upgrade',
      answers: [modifying, upgrading, active],
      changes: [true, false],
      final: false,
      warnings: 0,
    },
    {
      name: 'an API error during an upgrade',
      answers: [upgrading, throttled, throttled, upgrading],
      changes: [true],
      final: true,
      warnings: 2,
    },
    {
      name: 'an API error while active',
      answers: [active, denied, active],
      changes: [],
      final: false,
      warnings: 1,
    },
    { name: 'errors from the start', answers: [denied, denied], changes: [], final: false, warnings: 2 },
    {
      name: 'an error, then an upgrade',
      answers: [denied, upgrading, active],
      changes: [true, false],
      final: false,
      warnings: 1,
    },
    {
      name: 'an answer without DomainStatus',
      answers: ['empty', modifying],
      changes: [true],
      final: true,
      warnings: 1,
    },
  ])('facing $name', ({ answers, changes, final, warnings }) => {
    it('pauses while the domain changes, keeps the last state on errors, and never throws', async () => {
      const { client, sent } = scriptedClient(answers);
      const log = memoryLogger();
      const seen: boolean[] = [];
      const watch = createDomainWatch({
        client,
        domainName: 'cloudtrail',
        logger: log.logger,
        onChange: (changing) => seen.push(changing),
      });
      await watch.start();
      for (let check = 1; check < answers.length; check++) await vi.advanceTimersByTimeAsync(60_000);
      watch.stop();

      expect(sent).toHaveLength(answers.length);
      expect(sent[0]?.input).toEqual({ DomainName: 'cloudtrail' });
      expect(seen).toEqual(changes);
      expect(watch.changing).toBe(final);
      expect(log.records().filter((record) => record.level === 'warn')).toHaveLength(warnings);
      const transitions = log.messages('info').filter((message) => /pausing|resuming/.test(message));
      expect(transitions).toHaveLength(changes.length);
    });
  });

  it('checks every interval and stops when told', async () => {
    const { client, sent } = scriptedClient([active]);
    const watch = createDomainWatch({
      client,
      domainName: 'd',
      logger: memoryLogger().logger,
      intervalMs: 5000,
    });
    await watch.start();
    await vi.advanceTimersByTimeAsync(5000 * 3);
    expect(sent).toHaveLength(4);
    watch.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sent).toHaveLength(4);
  });

  it('warns with the reason and the domain name', async () => {
    const { client } = scriptedClient([denied]);
    const log = memoryLogger();
    const watch = createDomainWatch({ client, domainName: 'cloudtrail', logger: log.logger });
    expect(await watch.check()).toBe(false);
    const warning = log.records().find((record) => record.level === 'warn');
    expect(warning).toMatchObject({ domain: 'cloudtrail', consecutiveFailures: 1 });
    expect(warning?.msg).toContain('AccessDeniedException: not authorized to perform es:DescribeDomain');
  });

  it('survives a listener that throws', async () => {
    const { client } = scriptedClient([modifying]);
    const log = memoryLogger();
    const watch = createDomainWatch({
      client,
      domainName: 'd',
      logger: log.logger,
      onChange: () => {
        throw new Error('listener bug');
      },
    });
    await expect(watch.start()).resolves.toBeUndefined();
    expect(watch.changing).toBe(true);
    expect(log.messages('error')).toEqual(['domain watch listener failed']);
    watch.stop();
  });

  it('takes the SDK client as it is', () => {
    const client: DomainStatusClient = new OpenSearchClient({ region: 'us-east-1' });
    expect(typeof client.send).toBe('function');
    expect(new DescribeDomainCommand({ DomainName: 'x' }).input.DomainName).toBe('x');
  });
});
