import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { RemoteAccess } from '@bucketgate/contracts';

/** The region requests are signed for when none is given (what AWS and most S3-compatible stores accept). */
export const DEFAULT_SIGNING_REGION = 'us-east-1';

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
    requestHandler: new NodeHttpHandler({
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
