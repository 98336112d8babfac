import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { AuthInfo, SignedRequest } from '../protocol/index.js';
import type { Worker } from '../workers/worker.js';

/** Every S3 operation the gateway knows by name (supported or not). */
export type OpName =
  | 'ListBuckets'
  | 'HeadBucket'
  | 'GetBucketLocation'
  | 'ListObjectsV2'
  | 'ListObjects'
  | 'ListMultipartUploads'
  | 'DeleteObjects'
  | 'HeadObject'
  | 'GetObject'
  | 'PutObject'
  | 'CopyObject'
  | 'DeleteObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'UploadPartCopy'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts'
  | 'CreateBucket'
  | 'DeleteBucket'
  | 'Unsupported';

/** What an operation needs from the datasource: nothing bucket-scoped, reading, or writing. */
export type Access = 'service' | 'read' | 'write';

/** The value an operation returns; only writeResult turns it into bytes on the wire. */
export interface S3Result {
  status: number;
  headers?: Record<string, string | number>;
  /** string/Buffer are sent as is; a Readable is streamed with back pressure. */
  body?: string | Buffer | Readable;
}

export interface Operation {
  readonly name: OpName;
  readonly access: Access;
  /** Query parameters passed to the remote; any other parameter stays here (no sub-resource can slip through). */
  readonly query?: readonly string[];
  run(ctx: AuthorizedCtx): Promise<S3Result>;
}

/** Where a bucket-scoped copy reads from (x-amz-copy-source). */
export interface CopySource {
  bucket: string;
  key: string;
  versionId?: string;
}

/** What the pipeline needs from the worker supervisor: the worker that owns an access key. */
export interface WorkerLookup {
  byAccessKey(accessKeyId: string): Worker | undefined;
  /** Some datasource named in the KV is not loaded yet (config service unreachable): an unknown key may be its. */
  loading(): boolean;
}

/** Per-instance settings the stages read. */
export interface PipelineSettings {
  /** Base domain for virtual-host requests (`<bucket>.<domain>`), if any. */
  domain?: string;
  /** Public URL of this gateway (used where S3 answers carry a URL, e.g. CompleteMultipartUpload Location). */
  publicUrl: string;
  /** A request body that sends nothing for this long is cut with RequestTimeout (GATEWAY_CLIENT_IDLE_TIMEOUT_MS; 0 = never). */
  clientIdleTimeoutMs: number;
}

/** The state of one request as it passes the stages; each stage fills in its part. */
export interface S3Ctx {
  readonly requestId: string;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  log: Logger;
  readonly workers: WorkerLookup;
  readonly settings: PipelineSettings;
  /** Aborted when the client goes away before the response is complete. */
  readonly signal: AbortSignal;
  /** The client sent `Expect: 100-continue` and waits for our go-ahead before sending the body. */
  expectContinue: boolean;
  /** Set by parseRequest. */
  signed?: SignedRequest;
  bucket?: string;
  key?: string;
  query?: URLSearchParams;
  /** Set by resolveOperation. */
  op?: Operation;
  /** Set by authenticate. */
  auth?: AuthInfo;
  worker?: Worker;
  /** Set by authorize for CopyObject / UploadPartCopy. */
  copySource?: CopySource;
  /** Releases the worker's concurrency slot (set by admit). */
  release?: () => void;
}

/** A context that passed every stage: the operation can rely on these fields. */
export interface AuthorizedCtx extends S3Ctx {
  signed: SignedRequest;
  query: URLSearchParams;
  op: Operation;
  auth: AuthInfo;
  worker: Worker;
}

export type Stage = (ctx: S3Ctx) => void | Promise<void>;

/** The resource an error refers to, as S3 writes it in <Resource>. */
export function resourceOf(ctx: S3Ctx): string {
  if (ctx.bucket === undefined) return ctx.signed?.rawPath ?? '/';
  return ctx.key === undefined ? `/${ctx.bucket}` : `/${ctx.bucket}/${ctx.key}`;
}
