import { BucketgateError, isErrorBody, type ErrorBody } from '@bucketgate/contracts';

/** Any thrown value -> the wire ErrorBody. Unknown errors become INTERNAL without leaking their message. */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof BucketgateError) return err.toBody();
  if (isErrorBody(err)) return err;
  return { code: 'INTERNAL', message: 'internal error' };
}

export function toBucketgateError(err: unknown): BucketgateError {
  if (err instanceof BucketgateError) return err;
  if (isErrorBody(err)) return BucketgateError.fromBody(err);
  return new BucketgateError('INTERNAL', 'internal error', undefined, { cause: err });
}
