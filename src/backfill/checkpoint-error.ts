import { OperatorError } from '../core/operator-error.ts';

/**
 * The checkpoint file could not be read or written. A backfill that cannot record what it did must
 * stop: going on would index files a rerun cannot know about, and exit 0 over a lost record.
 */
export class CheckpointError extends OperatorError {
  override readonly name: string = 'CheckpointError';
  readonly path: string;

  constructor(path: string, action: 'read' | 'write', cause: unknown) {
    const error = cause as NodeJS.ErrnoException;
    const why = error?.code ? `${error.code}: ${error.message}` : String(error?.message ?? cause);
    super(`cannot ${action} the checkpoint ${path} (${why})`, { cause });
    this.path = path;
  }
}
