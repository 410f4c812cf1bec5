import type { Logger } from 'pino';
import { createLogger } from '../../src/telemetry/logger.ts';

export interface LogRecord {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** The service's real logger writing to memory: `records()` parses what was logged so far. */
export function memoryLogger(level: 'debug' | 'info' = 'debug'): {
  logger: Logger;
  records: () => LogRecord[];
  messages: (level?: string) => string[];
} {
  const lines: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void lines.push(line) } });
  const records = (): LogRecord[] => lines.map((line) => JSON.parse(line) as LogRecord);
  return {
    logger,
    records,
    messages: (only?: string) =>
      records()
        .filter((record) => only === undefined || record.level === only)
        .map((record) => record.msg),
  };
}
