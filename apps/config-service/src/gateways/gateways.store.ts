import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { GatewayStatus, KV } from '@bucketgate/contracts';
import { Kvm, type KV as KvBucket } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { LOGGER } from '../logger.js';
import { NATS_CONNECTION } from '../nats/nats.module.js';
import { storeError } from '../nats/nats-errors.js';

/** Reads gateway heartbeats (KV bg_gateways; entries expire 15 s after an instance stops writing). */
export abstract class GatewaysStore {
  abstract list(): Promise<GatewayStatus[]>;
}

@Injectable()
export class NatsGatewaysStore extends GatewaysStore implements OnModuleInit {
  private kv!: KvBucket;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super();
  }

  async onModuleInit(): Promise<void> {
    this.kv = await new Kvm(this.nc).create(KV.gateways, { history: 1, ttl: 15_000 });
  }

  async list(): Promise<GatewayStatus[]> {
    try {
      const keys: string[] = [];
      for await (const key of await this.kv.keys()) keys.push(key);
      const out: GatewayStatus[] = [];
      for (const key of keys.sort()) {
        const entry = await this.kv.get(key);
        if (!entry || entry.operation !== 'PUT') continue;
        const parsed = GatewayStatus.safeParse(safeJson(entry.string()));
        if (parsed.success) out.push(parsed.data);
        else this.logger.warn({ instanceId: key }, 'ignoring a gateway heartbeat that does not match GatewayStatus');
      }
      return out;
    } catch (err) {
      throw storeError(err, 'reading gateway heartbeats');
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
