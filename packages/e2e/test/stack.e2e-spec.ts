/**
 * Smoke test of the harness and the booted services: everything starts, answers its health endpoint,
 * gateways register their heartbeat, a service can be stopped and started again, and logs are captured.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil } from '@bucketgate/runtime/testing';
import { startStack, type Stack } from '../src/stack.js';

describe('the e2e stack', () => {
  let stack: Stack;
  let masterKey: string;

  beforeAll(async () => {
    stack = await startStack({ gateways: 2, label: 'smoke' });
    masterKey = readFileSync(stack.masterKeyFile, 'utf8').trim();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('serves the config health endpoint', async () => {
    const res = await stack.rest('GET', '/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('serves the gateway health endpoint on every instance', async () => {
    for (const url of stack.gatewayUrls) {
      const res = await fetch(`${url}/_health`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/json/);
      await res.json();
    }
    expect(new Set(stack.gatewayUrls).size).toBe(2);
  });

  it('lists both gateway instances from their heartbeats', async () => {
    const res = await pollUntil(() => stack.rest('GET', '/api/gateways'), (r) => r.status === 200 && r.body.gateways?.length >= 2);
    expect(res.status).toBe(200);
    const ids = (res.body.gateways as { instanceId: string }[]).map((g) => g.instanceId).sort();
    expect(ids).toEqual([...stack.gatewayIds].sort());
  });

  it('lists no datasources on a fresh stack', async () => {
    const res = await stack.rest('GET', '/api/datasources');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ datasources: [] });
  });

  it('stops and restarts a gateway instance', async () => {
    const url = stack.gatewayUrls[1];
    await stack.stopService('gateway-2');
    await expect(fetch(`${url}/_health`)).rejects.toThrow();
    await stack.startService('gateway-2');
    expect((await fetch(`${url}/_health`)).status).toBe(200);
  });

  it('captures each service log in the artifacts folder, without the master key', () => {
    for (const name of ['config', 'discovery', 'gateway', 'gateway-2'] as const) {
      expect(existsSync(join(stack.artifactsDir, `${name}.log`))).toBe(true);
      expect(stack.logs(name).length).toBeGreaterThan(0);
      expect(stack.logs(name)).not.toContain(masterKey);
    }
  });
});
