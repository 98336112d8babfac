import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { BucketgateError, EVENTS_STREAM, KV, type EventDef } from '@bucketgate/contracts';
import { jetstream, jetstreamManager, JetStreamApiCodes, JetStreamApiError, RetentionPolicy, StorageType, type JetStreamClient, type StreamConfig } from '@nats-io/jetstream';
import { Kvm, type KV as KvBucket } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { z } from 'zod';
import { NATS_CONNECTION } from '../nats/nats.module.js';
import { isWrongLastSequence, storeError } from '../nats/nats-errors.js';
import { StoredDatasource, type StoredEntry } from './datasource.record.js';

/** All I/O of the datasources feature: the KV bucket and the events stream. Typed seam for the service. */
export abstract class DatasourcesStore {
  /** Atomic create; a live record with that name → CONFLICT. Returns the new revision. */
  abstract create(record: StoredDatasource): Promise<number>;
  abstract get(name: string): Promise<StoredEntry | null>;
  abstract list(): Promise<StoredEntry[]>;
  /** Compare-and-set on the revision; a moved revision → CONFLICT. Returns the new revision. */
  abstract update(record: StoredDatasource, revision: number): Promise<number>;
  /** Compare-and-set delete; returns the revision of the delete marker when known. */
  abstract delete(name: string, revision: number): Promise<number | undefined>;
  abstract publish<P extends z.ZodType>(def: EventDef<P>, payload: z.input<P>, msgId: string): Promise<void>;
}

const DAY_NS = 24 * 60 * 60 * 1e9;

/** The BUCKETGATE_EVENTS stream: explicit subjects, file storage, kept 7 days. */
export const EVENTS_STREAM_CONFIG: Partial<StreamConfig> & { name: string; subjects: string[] } = {
  name: EVENTS_STREAM.name,
  subjects: [...EVENTS_STREAM.subjects],
  storage: StorageType.File,
  retention: RetentionPolicy.Limits,
  max_age: 7 * DAY_NS,
  max_msgs: 100_000,
  duplicate_window: 2 * 60 * 1e9,
};

@Injectable()
export class NatsDatasourcesStore extends DatasourcesStore implements OnModuleInit {
  private kv!: KvBucket;
  private js!: JetStreamClient;

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {
    super();
  }

  async onModuleInit(): Promise<void> {
    this.js = jetstream(this.nc);
    this.kv = await new Kvm(this.js).create(KV.datasources, { history: 10 });
    await ensureStream(this.nc);
  }

  async create(record: StoredDatasource): Promise<number> {
    try {
      return await this.kv.create(record.name, JSON.stringify(record));
    } catch (err) {
      if (isWrongLastSequence(err)) throw new BucketgateError('CONFLICT', `datasource "${record.name}" already exists`, { name: record.name });
      throw storeError(err, `creating datasource "${record.name}"`);
    }
  }

  async get(name: string): Promise<StoredEntry | null> {
    let entry;
    try {
      entry = await this.kv.get(name);
    } catch (err) {
      throw storeError(err, `reading datasource "${name}"`);
    }
    if (!entry || entry.operation !== 'PUT') return null;
    return { record: decodeRecord(name, entry.string()), revision: entry.revision };
  }

  async list(): Promise<StoredEntry[]> {
    const names: string[] = [];
    try {
      for await (const key of await this.kv.keys()) names.push(key);
    } catch (err) {
      throw storeError(err, 'listing datasources');
    }
    const entries = await Promise.all(names.sort().map((n) => this.get(n)));
    return entries.filter((e): e is StoredEntry => e !== null);
  }

  async update(record: StoredDatasource, revision: number): Promise<number> {
    try {
      return await this.kv.update(record.name, JSON.stringify(record), revision);
    } catch (err) {
      if (isWrongLastSequence(err)) throw modifiedConcurrently(record.name, revision);
      throw storeError(err, `updating datasource "${record.name}"`);
    }
  }

  async delete(name: string, revision: number): Promise<number | undefined> {
    try {
      await this.kv.delete(name, { previousSeq: revision });
    } catch (err) {
      if (isWrongLastSequence(err)) throw modifiedConcurrently(name, revision);
      throw storeError(err, `deleting datasource "${name}"`);
    }
    const marker = await this.kv.get(name).catch(() => null);
    return marker && marker.operation !== 'PUT' ? marker.revision : undefined;
  }

  async publish<P extends z.ZodType>(def: EventDef<P>, payload: z.input<P>, msgId: string): Promise<void> {
    const body = JSON.stringify(def.payload.parse(payload));
    try {
      await this.js.publish(def.subject, body, { msgID: msgId, timeout: 5_000 });
    } catch (err) {
      throw storeError(err, `publishing ${def.subject}`);
    }
  }
}

export function modifiedConcurrently(name: string, revision: number): BucketgateError {
  return new BucketgateError(
    'CONFLICT',
    `datasource "${name}" was modified concurrently (expected revision ${revision}); re-read it and retry`,
    { name, expectedRevision: revision },
  );
}

/** A stored value that does not parse is reported as INTERNAL naming the datasource, never as a crash. */
function decodeRecord(name: string, text: string): StoredDatasource {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BucketgateError('INTERNAL', `stored datasource "${name}" is not valid JSON`, { name }, { cause: err });
  }
  const parsed = StoredDatasource.safeParse(value);
  if (!parsed.success) throw new BucketgateError('INTERNAL', `stored datasource "${name}" has an unknown format`, { name }, { cause: parsed.error });
  return parsed.data;
}

/** Creates the events stream, or brings an existing one to the declared subjects and limits. */
export async function ensureStream(nc: NatsConnection, config = EVENTS_STREAM_CONFIG): Promise<void> {
  const jsm = await jetstreamManager(nc);
  try {
    const info = await jsm.streams.info(config.name);
    const c = info.config;
    const same =
      c.subjects.length === config.subjects.length && c.subjects.every((s) => config.subjects.includes(s)) && c.max_age === config.max_age && c.max_msgs === config.max_msgs;
    if (!same) await jsm.streams.update(config.name, { ...c, subjects: config.subjects, max_age: config.max_age, max_msgs: config.max_msgs });
  } catch (err) {
    if (!(err instanceof JetStreamApiError) || err.code !== JetStreamApiCodes.StreamNotFound) throw err;
    try {
      await jsm.streams.add(config);
    } catch (addErr) {
      // another replica created it a moment ago: fine
      if (!(addErr instanceof JetStreamApiError) || addErr.code !== 10058 /* stream name already in use */) throw addErr;
    }
  }
}
