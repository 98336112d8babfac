import type { DatasourceView, GatewayStatus } from '@bucketgate/contracts';

export interface LiveStatus {
  state: 'serving' | 'starting' | 'error' | 'stopped';
  /** Short text for the badge. */
  label: string;
  /** One sentence with the details (which gateways, the reason of an error). */
  detail: string;
}

/**
 * What the gateways say about one datasource, from their heartbeats (GET /api/gateways). A datasource is
 * "serving" when at least one gateway instance serves it, "error" when any instance reports an error (the
 * reason is shown), "starting" while workers start or reload, and "stopped" when no instance serves it.
 */
export function datasourceStatus(ds: Pick<DatasourceView, 'name' | 'revision'>, gateways: readonly GatewayStatus[] | undefined): LiveStatus {
  if (gateways === undefined) return { state: 'stopped', label: 'unknown', detail: 'waiting for the gateways’ status…' };
  if (gateways.length === 0) return { state: 'stopped', label: 'stopped', detail: 'no gateway instance is running' };
  const workers = gateways.flatMap((g) => g.workers.filter((w) => w.name === ds.name).map((w) => ({ gateway: g.instanceId, w })));
  const n = gateways.length;
  const of = (k: number) => (n === 1 ? '' : ` on ${k} of ${n} gateways`);
  const failed = workers.filter((x) => x.w.state === 'error');
  if (failed.length) {
    const reason = failed[0]!.w.error ?? 'no reason given';
    return { state: 'error', label: 'error', detail: `${reason}${n > 1 ? ` (${failed[0]!.gateway})` : ''}` };
  }
  const serving = workers.filter((x) => x.w.state === 'serving');
  const starting = workers.filter((x) => x.w.state === 'starting');
  if (starting.length) return { state: 'starting', label: 'starting', detail: `starting${of(starting.length)}` };
  if (serving.length) {
    const behind = serving.some((x) => x.w.revision < ds.revision);
    if (behind) {
      return { state: 'starting', label: 'updating', detail: 'serving; a gateway has not reported the latest change yet' };
    }
    return { state: 'serving', label: 'serving', detail: n === 1 ? 'served by the gateway' : `serving${of(serving.length)}` };
  }
  return { state: 'stopped', label: 'stopped', detail: n === 1 ? 'the gateway does not serve it' : `none of ${n} gateways serves it` };
}
