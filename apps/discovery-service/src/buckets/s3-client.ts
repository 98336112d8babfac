import { pipeline, Readable, Transform } from 'node:stream';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';
import type { RemoteAccess } from '@bucketgate/contracts';
import { ResponseTooLargeError } from './remote-errors.js';

/** The region requests are signed for when none is given (what AWS and most S3-compatible stores accept). */
export const DEFAULT_SIGNING_REGION = 'us-east-1';

/**
 * The most bytes discovery reads of one answer. A ListBuckets page of 10,000 buckets is under 2 MiB of XML
 * and every other answer it reads is a few hundred bytes; a bigger answer is cut off before the SDK buffers
 * and parses it (which would hold the whole of it in memory and block the event loop for every caller).
 */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/**
 * The Node HTTP handler with a bound on the size of each answer's body: an announced Content-Length past
 * the bound fails at once, and a body that grows past it (chunked, or lying about its length) is destroyed
 * (closing the connection) with a ResponseTooLargeError as soon as the bound is crossed.
 */
export class CappedHttpHandler extends NodeHttpHandler {
  constructor(options: NodeHttpHandlerOptions, readonly maxResponseBytes: number = MAX_RESPONSE_BYTES) {
    super(options);
  }

  override async handle(...args: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
    const out = await super.handle(...args);
    const { response } = out;
    const body: unknown = response.body;
    const declared = Number(headerValue(response.headers, 'content-length'));
    if (Number.isFinite(declared) && declared > this.maxResponseBytes) {
      if (body instanceof Readable) body.destroy();
      throw new ResponseTooLargeError(this.maxResponseBytes, declared);
    }
    if (body instanceof Readable) response.body = capped(body, this.maxResponseBytes);
    return out;
  }
}

function headerValue(headers: Record<string, string | undefined>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/** `source` passed through a counter that errors (and so destroys the source) once more than `max` bytes went by. */
function capped(source: Readable, max: number): Readable {
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > max) done(new ResponseTooLargeError(max));
      else done(null, chunk);
    },
  });
  // The error reaches whoever reads `counter` (the SDK's body collector); pipeline destroys the source with it.
  pipeline(source, counter, () => undefined);
  return counter;
}

export interface ClientTimeouts {
  connectTimeoutMs: number;
  requestTimeoutMs: number;
}

/** Whether requests address buckets as `endpoint/bucket` (path style) rather than `bucket.endpoint`. */
export function usesPathStyle(remote: Pick<RemoteAccess, 'endpoint' | 'pathStyle'>): boolean {
  // A custom endpoint is usually an IP or a single host name, where virtual-host style cannot resolve.
  if (remote.endpoint) return remote.pathStyle !== false;
  return remote.pathStyle === true;
}

/** The region a request is signed for: the datasource's, or us-east-1 when it has none. */
export function signingRegion(remote: Pick<RemoteAccess, 'region'>): string {
  const region = remote.region?.trim();
  return region ? region : DEFAULT_SIGNING_REGION;
}

/**
 * Client options for one remote: explicit credentials only (never the machine's own AWS profile or
 * environment), bounded connect and request time, no retries (a look-up an operator waits for must answer
 * within a known bound; the deadline of the whole call is enforced by the caller's AbortSignal too).
 */
export function s3ClientConfig(remote: RemoteAccess, timeouts: ClientTimeouts): S3ClientConfig {
  return {
    region: signingRegion(remote),
    ...(remote.endpoint ? { endpoint: remote.endpoint } : {}),
    forcePathStyle: usesPathStyle(remote),
    credentials: { accessKeyId: remote.apiKey, secretAccessKey: remote.apiSecret },
    maxAttempts: 1,
    followRegionRedirects: true,
    ignoreConfiguredEndpointUrls: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new CappedHttpHandler({
      connectionTimeout: timeouts.connectTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      throwOnRequestTimeout: true,
    }),
  };
}

export function createS3Client(remote: RemoteAccess, timeouts: ClientTimeouts): S3Client {
  return new S3Client(s3ClientConfig(remote, timeouts));
}

/** How a remote is named in messages and logs: the URL the operator typed, or Amazon S3 with its region. */
export function endpointLabel(remote: Pick<RemoteAccess, 'endpoint' | 'region'>): string {
  return remote.endpoint ?? `Amazon S3 (${signingRegion(remote)})`;
}
