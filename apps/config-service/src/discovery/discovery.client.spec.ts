import { BucketgateError, CheckCredentials, type RpcDef } from '@bucketgate/contracts';
import { NatsDiscoveryClient, type RpcCaller } from './discovery.client.js';

/** A fake RpcClient: answers or fails as told, and records the subject asked. */
function fakeRpc(outcome: { reply?: unknown; error?: unknown }): RpcCaller & { subjects: string[] } {
  const subjects: string[] = [];
  return {
    subjects,
    call: (async (def: RpcDef) => {
      subjects.push(def.subject);
      if (outcome.error) throw outcome.error;
      return outcome.reply;
    }) as RpcCaller['call'],
    close: async () => undefined,
  };
}

const request = { apiKey: 'AK', apiSecret: 'S', endpoint: 'http://127.0.0.1:8000', buckets: ['abc'] };

describe(NatsDiscoveryClient.name, () => {
  it('asks discovery.v1.credentials.check and returns its reply', async () => {
    const rpc = fakeRpc({ reply: { canListBuckets: false, missingBuckets: [] } });
    await expect(new NatsDiscoveryClient(rpc).checkCredentials(request)).resolves.toEqual({ canListBuckets: false, missingBuckets: [] });
    expect(rpc.subjects).toEqual([CheckCredentials.subject]);
  });

  it('passes remote errors through unchanged', async () => {
    const remote = new BucketgateError('INVALID_CREDENTIALS', 'SignatureDoesNotMatch');
    await expect(new NatsDiscoveryClient(fakeRpc({ error: remote })).checkCredentials(request)).rejects.toBe(remote);
  });

  it('explains UNAVAILABLE: discovery is not running, and skipCheck saves without it', async () => {
    const sut = new NatsDiscoveryClient(fakeRpc({ error: new BucketgateError('UNAVAILABLE', 'no service answers') }));
    await expect(sut.checkCredentials(request)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(/discovery service is not reachable over NATS.*start the discovery service, or save with "skipCheck": true/),
    });
    await expect(sut.listBuckets(request)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.not.stringContaining('skipCheck') });
  });

  it('turns a reply that does not match the contract into INTERNAL, not a user error', async () => {
    const bad = new BucketgateError('INVALID', `invalid ${CheckCredentials.subject} reply: canListBuckets: expected boolean`);
    await expect(new NatsDiscoveryClient(fakeRpc({ error: bad })).checkCredentials(request)).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/unexpected reply/) });
  });
});
