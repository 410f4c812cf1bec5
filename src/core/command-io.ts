import type { Writable } from 'node:stream';

/** Where a command writes for the operator: its result on stdout, its problems on stderr. */
export interface CommandIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
}
