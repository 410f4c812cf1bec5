import { hostname } from 'node:os';
import type { DestinationStream, LevelWithSilent, Logger } from 'pino';
import { pino, stdSerializers } from 'pino';
import { REDACTED, redactPaths, redactUrl, scrubSecrets } from './redact-secrets.ts';

export interface LoggerOptions {
  readonly level: LevelWithSilent;
  /** Where the JSON lines go; standard output when absent. Tests pass an in-memory stream. */
  readonly destination?: DestinationStream;
  /** Fields on every line, after pid and hostname (e.g. `{ command: 'worker' }`). */
  readonly base?: Readonly<Record<string, unknown>>;
}

/**
 * The service's logger: one JSON object per line, `level` as a word, ISO time, the context fields
 * before `msg` (pino writes the message last). Secrets are censored twice over: pino `redact` on
 * known keys, then a scrub of every finished line (see redact-secrets.ts).
 */
export function createLogger(options: LoggerOptions): Logger {
  const settings = {
    level: options.level,
    base: { pid: process.pid, hostname: hostname(), ...options.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    redact: { paths: redactPaths(), censor: REDACTED },
    serializers: {
      err: stdSerializers.err,
      url: redactUrl,
      endpoint: redactUrl,
      node: redactUrl,
    },
    hooks: { streamWrite: scrubSecrets },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
