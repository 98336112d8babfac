import { connect, type NatsConnection } from '@nats-io/transport-node';

/** A NATS connection that reconnects forever (a NATS restart must not kill a service). */
export async function connectNats(servers: string[], name: string): Promise<NatsConnection> {
  return connect({ servers, name, maxReconnectAttempts: -1, reconnectTimeWait: 500, waitOnFirstConnect: true });
}

/** Parses NATS_URL (comma-separated list) into server URLs. */
export function natsServers(value: string | undefined): string[] {
  return (value ?? 'nats://127.0.0.1:4222').split(',').map((s) => s.trim()).filter(Boolean);
}
