import type { ApiError } from './api.js';

/** A headline in plain words for each error code; the server's message (the remote's reason) follows it. */
const HEADLINES: Record<ApiError['code'], string> = {
  INVALID: 'Some fields need fixing.',
  NOT_FOUND: 'Not found.',
  CONFLICT: 'This was changed by someone else.',
  INVALID_CREDENTIALS: 'The storage refused this API key or secret.',
  ACCESS_DENIED: 'These credentials may not list buckets.',
  REMOTE_UNREACHABLE: 'The storage endpoint cannot be reached.',
  TLS_ERROR: 'A secure (TLS) connection to the storage failed.',
  TIMEOUT: 'The storage did not answer in time.',
  REMOTE_ERROR: 'The storage answered with an error.',
  UNAVAILABLE: 'A bucketgate service is not running.',
  INTERNAL: 'Something went wrong inside bucketgate.',
  NETWORK: 'The bucketgate server cannot be reached.',
};

/** What to do about it, where there is something useful to say. */
const HINTS: Partial<Record<ApiError['code'], string>> = {
  INVALID_CREDENTIALS: 'Check the API key and secret (copy them again, watch for spaces).',
  ACCESS_DENIED: 'You can still type the bucket names by hand below.',
  REMOTE_UNREACHABLE: 'Check the endpoint URL and port, and that the storage is up.',
  TLS_ERROR: 'Check that the endpoint uses the right scheme (http or https) and has a valid certificate.',
  TIMEOUT: 'Check the endpoint, or try again.',
  CONFLICT: 'Reload to see the current version, then make your change again.',
};

export function errorHeadline(err: ApiError): string {
  return HEADLINES[err.code] ?? HEADLINES.INTERNAL;
}

export function errorHint(err: ApiError): string | undefined {
  return HINTS[err.code];
}
