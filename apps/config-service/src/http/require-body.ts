import { BucketgateError } from '@bucketgate/contracts';

/** A REST body is required: say so instead of a schema message about `undefined`. */
export function requireBody(body: unknown): unknown {
  if (body === undefined) throw new BucketgateError('INVALID', 'the request needs a JSON object body (Content-Type: application/json)');
  return body;
}
