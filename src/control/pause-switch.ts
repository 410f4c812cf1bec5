import type { SSMClient } from '@aws-sdk/client-ssm';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { describeError } from '../core/describe-error.ts';
import { OperatorError } from '../core/operator-error.ts';

/** SSM's standard tier holds 4 KB per value; these bounds keep the JSON well inside it. */
const MAX_REASON_CHARS = 1000;
const MAX_BY_CHARS = 200;

export interface PauseState {
  readonly paused: boolean;
  /** Why the switch was last set, when the setter said. */
  readonly reason?: string;
  /** Who last set it, when the setter said. */
  readonly by?: string;
  /** When it was last set: the recorded time, else the parameter's last modification. */
  readonly since?: Date;
  /** False when the parameter does not exist: never set, which means not paused. */
  readonly exists: boolean;
}

export interface SetPauseOptions {
  readonly reason?: string;
  readonly by?: string;
  readonly now?: Date;
}

/** The pause switch could not be read or set; the message is one sentence naming the parameter. */
export class PauseSwitchError extends OperatorError {
  override readonly name: string = 'PauseSwitchError';
  readonly parameterName: string;

  constructor(message: string, parameterName: string, cause?: unknown) {
    super(message, { cause });
    this.parameterName = parameterName;
  }
}

export interface PauseSwitch {
  readonly parameterName: string;
  read(): Promise<PauseState>;
  set(paused: boolean, options?: SetPauseOptions): Promise<PauseState>;
}

/**
 * The pause switch shared by every worker task: one SSM String parameter. `set` writes a small JSON
 * object (`{"paused":true,"reason":...,"by":...,"since":...}`) so one GetParameter tells the whole
 * story; `read` also accepts a bare `true` / `false`, as an operator may set it by hand in the
 * console or with `aws ssm put-parameter`.
 */
export function createPauseSwitch(
  ssm: Pick<SSMClient, 'send'>,
  /** PAUSE_PARAMETER_NAME (config.ts holds its default). */
  parameterName: string,
): PauseSwitch {
  return {
    parameterName,
    async read() {
      let value: string | undefined;
      let lastModified: Date | undefined;
      try {
        const { Parameter } = await ssm.send(new GetParameterCommand({ Name: parameterName }));
        value = Parameter?.Value;
        lastModified = Parameter?.LastModifiedDate;
      } catch (error) {
        if ((error as Error).name === 'ParameterNotFound') return { paused: false, exists: false };
        throw new PauseSwitchError(
          `Cannot read the pause switch, SSM parameter ${parameterName}: ${describeError(error)}.`,
          parameterName,
          error,
        );
      }
      return parsePauseValue(value ?? '', parameterName, lastModified);
    },
    async set(paused, options = {}) {
      const since = options.now ?? new Date();
      const state: PauseState = {
        paused,
        ...(options.reason ? { reason: options.reason.slice(0, MAX_REASON_CHARS) } : {}),
        ...(options.by ? { by: options.by.slice(0, MAX_BY_CHARS) } : {}),
        since,
        exists: true,
      };
      const value = JSON.stringify({
        paused,
        reason: state.reason,
        by: state.by,
        since: since.toISOString(),
      });
      try {
        await ssm.send(
          new PutParameterCommand({ Name: parameterName, Value: value, Type: 'String', Overwrite: true }),
        );
      } catch (error) {
        throw new PauseSwitchError(
          `Cannot set the pause switch, SSM parameter ${parameterName}: ${describeError(error)}.`,
          parameterName,
          error,
        );
      }
      return state;
    },
  };
}

/** Reads the parameter's value: `true` / `false` (any case, spaces ignored) or the JSON `set` writes. */
export function parsePauseValue(value: string, parameterName: string, lastModified?: Date): PauseState {
  const bare = value.trim().toLowerCase();
  if (bare === 'true' || bare === 'false') {
    return { paused: bare === 'true', ...(lastModified ? { since: lastModified } : {}), exists: true };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  const record = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const paused = typeof record.paused === 'string' ? record.paused.trim().toLowerCase() : record.paused;
  if (paused !== true && paused !== false && paused !== 'true' && paused !== 'false') {
    throw new PauseSwitchError(
      `The pause switch, SSM parameter ${parameterName}, holds ${JSON.stringify(value.slice(0, 100))}: expected true, false or {"paused": true|false, ...}.`,
      parameterName,
    );
  }
  const recorded = typeof record.since === 'string' ? new Date(record.since) : undefined;
  const since = recorded && !Number.isNaN(recorded.getTime()) ? recorded : lastModified;
  return {
    paused: paused === true || paused === 'true',
    ...(typeof record.reason === 'string' && record.reason !== '' ? { reason: record.reason } : {}),
    ...(typeof record.by === 'string' && record.by !== '' ? { by: record.by } : {}),
    ...(since ? { since } : {}),
    exists: true,
  };
}
