import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { BucketgateError, CheckCredentials, CreateBucket, ListBuckets, type RpcDef, type RpcRequest, type RpcResponse } from '@bucketgate/contracts';
import { RpcClient } from '@bucketgate/runtime';

export type CheckCredentialsRequest = RpcRequest<typeof CheckCredentials>;
export type CheckCredentialsResult = RpcResponse<typeof CheckCredentials>;
export type ListBucketsRequest = RpcRequest<typeof ListBuckets>;
export type ListBucketsResult = RpcResponse<typeof ListBuckets>;
export type CreateBucketRequest = RpcRequest<typeof CreateBucket>;
export type CreateBucketResult = RpcResponse<typeof CreateBucket>;

/** The discovery service, as the config service uses it (a typed seam: unit tests pass a fake). */
export abstract class DiscoveryClient {
  abstract checkCredentials(req: CheckCredentialsRequest): Promise<CheckCredentialsResult>;
  abstract listBuckets(req: ListBucketsRequest): Promise<ListBucketsResult>;
  abstract createBucket(req: CreateBucketRequest): Promise<CreateBucketResult>;
}

/** DI token for the RpcClient the discovery client calls through. */
export const RPC_CLIENT = Symbol('RPC_CLIENT');
/** The part of RpcClient used here (a seam for unit tests). */
export type RpcCaller = Pick<RpcClient, 'call' | 'close'>;

/** Over NATS RPC; remote errors (INVALID_CREDENTIALS, ACCESS_DENIED, …) pass through with the remote's reason. */
@Injectable()
export class NatsDiscoveryClient extends DiscoveryClient implements OnApplicationShutdown {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcCaller) {
    super();
  }

  checkCredentials(req: CheckCredentialsRequest): Promise<CheckCredentialsResult> {
    return this.call(CheckCredentials, req, 'check the credentials with the remote storage');
  }

  listBuckets(req: ListBucketsRequest): Promise<ListBucketsResult> {
    return this.call(ListBuckets, req, 'list the buckets of the remote storage');
  }

  createBucket(req: CreateBucketRequest): Promise<CreateBucketResult> {
    return this.call(CreateBucket, req, 'create a bucket on the remote storage');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.rpc.close().catch(() => undefined);
  }

  private async call<D extends RpcDef>(def: D, req: RpcRequest<D>, purpose: string): Promise<RpcResponse<D>> {
    try {
      return await this.rpc.call(def, req);
    } catch (err) {
      if (err instanceof BucketgateError && err.code === 'UNAVAILABLE') {
        throw new BucketgateError(
          'UNAVAILABLE',
          `the discovery service is not reachable over NATS (${def.subject}), so bucketgate cannot ${purpose}; start the discovery service` +
            (def.subject === CheckCredentials.subject ? ', or save with "skipCheck": true to skip the check' : ''),
          { subject: def.subject },
          { cause: err },
        );
      }
      if (err instanceof BucketgateError && err.code === 'INVALID' && err.message.startsWith(`invalid ${def.subject} reply`)) {
        // our own request was validated before sending; a reply that does not parse is a version mismatch, not user error
        throw new BucketgateError('INTERNAL', `the discovery service answered ${def.subject} with an unexpected reply (are both services the same version?)`, err.details, {
          cause: err,
        });
      }
      throw err;
    }
  }
}
