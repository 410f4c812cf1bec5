import { FailureCode } from '../core/failure-code.ts';
import { MessageFormat, type Metrics } from '../telemetry/metrics.ts';
import type { HandledMessage } from './handle-notification.ts';

/**
 * What one handled message adds to the metrics: its format, each file's outcome and counts, and every
 * failure under its own code (the message's, then each file's).
 */
export function recordMessageMetrics(metrics: Metrics, handled: HandledMessage): void {
  const notification = handled.notification;
  metrics.messageReceived(
    !notification
      ? MessageFormat.Unrecognized
      : notification.format === 's3-event' && notification.viaSns
        ? MessageFormat.SnsS3Event
        : notification.format,
  );
  if (!notification) {
    metrics.failure(handled.tooLarge ? FailureCode.MessageTooLarge : FailureCode.UnparseableMessage);
  }
  if (handled.tooManyObjects) metrics.failure(FailureCode.TooManyObjects);
  for (const file of handled.files) {
    metrics.fileDone(file.status, {
      events: file.events,
      repaired: file.repaired,
      lagSeconds: file.lagSeconds,
      flagged: file.flagged,
      readResumes: file.readResumes,
    });
    if (file.failure) metrics.failure(file.failure);
  }
}
