import { BucketgateError } from '@bucketgate/contracts';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';

/** True when JetStream refused a write because the subject's last sequence (the KV revision) moved. */
export function isWrongLastSequence(err: unknown): boolean {
  const code = err instanceof JetStreamApiError ? err.code : (err as { code?: unknown } | null)?.code;
  return code === JetStreamApiCodes.StreamWrongLastSequence || code === JetStreamApiCodes.StreamWrongLastSequenceUnknown;
}

/**
 * Errors talking to NATS JetStream: API errors (a refusal with a code) stay as they are and end up INTERNAL;
 * anything else (timeout, disconnected, no responders while JetStream recovers) means the store is not reachable
 * right now, which is UNAVAILABLE and worth a retry.
 */
export function storeError(err: unknown, what: string): unknown {
  if (err instanceof BucketgateError || err instanceof JetStreamApiError) return err;
  const name = err instanceof Error ? err.name : 'error';
  return new BucketgateError('UNAVAILABLE', `the configuration store (NATS JetStream) did not answer while ${what} (${name}); retry in a moment`, undefined, {
    cause: err,
  });
}
