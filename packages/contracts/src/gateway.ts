import { z } from 'zod';

/** Names of shared JetStream state. Never renamed. */
export const KV = {
  /** key = datasource name, value = StoredDatasource JSON (secrets encrypted) */
  datasources: 'bg_datasources',
  /** key = gateway instance id, value = GatewayStatus JSON; entries expire (TTL) when an instance dies */
  gateways: 'bg_gateways',
} as const;

export const WorkerState = z.enum(['starting', 'serving', 'error', 'stopped']);
export const WorkerStatus = z.object({
  name: z.string(),
  revision: z.number().int(),
  state: WorkerState,
  error: z.string().optional(),
  inFlight: z.number().int().optional(),
  requests: z.number().int().optional(),
});
export type WorkerStatus = z.infer<typeof WorkerStatus>;

/** Heartbeat a gateway instance writes to KV.gateways every few seconds. */
export const GatewayStatus = z.object({
  instanceId: z.string(),
  endpoint: z.string(),
  startedAt: z.string(),
  at: z.string(),
  workers: z.array(WorkerStatus),
});
export type GatewayStatus = z.infer<typeof GatewayStatus>;
