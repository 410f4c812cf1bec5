/** The cluster pushed back; the worker uses this to stop taking new work for a while. */
export interface PressureEvent {
  readonly kind: 'throttled' | 'unavailable' | 'blocked';
  readonly reason: string;
  /** How long the writer waits before trying again. */
  readonly delayMs: number;
}

export interface BulkRequestEvent {
  readonly documents: number;
  readonly bytes: number;
  readonly durationMs: number;
  /** `ok` when OpenSearch answered (items may still have failed), `failed` when the request did. */
  readonly status: 'ok' | 'failed';
}

/** Optional observers for metrics and backpressure; called synchronously, must not throw. */
export interface SinkHooks {
  readonly onPressure?: (event: PressureEvent) => void;
  readonly onBulkRequest?: (event: BulkRequestEvent) => void;
}
