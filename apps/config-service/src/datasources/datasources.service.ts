import { Inject, Injectable } from '@nestjs/common';
import {
  BucketgateError,
  DatasourceCreated,
  DatasourceDeleted,
  DatasourceUpdated,
  type CreateDatasourceRequest,
  type DatasourceEvent,
  type DatasourceView,
  type DatasourceWithCredentials,
  type EventDef,
  type IssuedCredentials,
  type WorkerConfig,
} from '@bucketgate/contracts';
import type { Logger } from 'pino';
import { Clock } from '../clock.js';
import { CONFIG_ENV, type ConfigEnv } from '../config/env.js';
import { issueCredentials } from '../crypto/issued-credentials.js';
import { SecretBox, secretAad } from '../crypto/secret-box.js';
import { DiscoveryClient } from '../discovery/discovery.client.js';
import { LOGGER } from '../logger.js';
import { toView, type StoredDatasource, type StoredEntry } from './datasource.record.js';
import type { DatasourceChange } from './datasources.input.js';
import { DatasourcesStore, modifiedConcurrently } from './datasources.store.js';

/** What decides how the remote is reached and which buckets are served: a change here re-checks the remote. */
interface RemoteSettings {
  apiKey: string;
  apiSecret: string;
  endpoint: string | null;
  region: string | null;
  pathStyle: boolean;
  buckets: string[] | null;
  bucketsRegexp: string | null;
}

/**
 * The datasource model: validation beyond the schema, remote checks through discovery, issuing gateway keys,
 * sealing secrets, and compare-and-set persistence. Transport-free: REST and NATS handlers call it with parsed input.
 */
@Injectable()
export class DatasourcesService {
  constructor(
    @Inject(DatasourcesStore) private readonly store: DatasourcesStore,
    @Inject(DiscoveryClient) private readonly discovery: DiscoveryClient,
    @Inject(SecretBox) private readonly box: SecretBox,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(CONFIG_ENV) private readonly env: Pick<ConfigEnv, 'gatewayPublicUrl'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async create(req: CreateDatasourceRequest): Promise<DatasourceWithCredentials> {
    if (await this.store.get(req.name)) throw new BucketgateError('CONFLICT', `datasource "${req.name}" already exists`, { name: req.name });
    const endpoint = req.endpoint ?? null;
    const settings: RemoteSettings = {
      apiKey: req.apiKey,
      apiSecret: req.apiSecret,
      endpoint,
      region: req.region ?? null,
      pathStyle: req.pathStyle ?? endpoint !== null,
      buckets: req.buckets ?? null,
      bucketsRegexp: req.bucketsRegexp ?? null,
    };
    if (!req.skipCheck) await this.checkRemote(settings);
    const issued = issueCredentials();
    const now = this.clock.now().toISOString();
    const record: StoredDatasource = {
      v: 1,
      name: req.name,
      endpoint: settings.endpoint,
      region: settings.region,
      pathStyle: settings.pathStyle,
      readOnly: req.readOnly,
      buckets: settings.buckets,
      bucketsRegexp: settings.bucketsRegexp,
      apiKey: settings.apiKey,
      apiSecretEnc: this.box.seal(settings.apiSecret, secretAad(req.name, 'apiSecret')),
      accessKeyId: issued.accessKeyId,
      secretAccessKeyEnc: this.box.seal(issued.secretAccessKey, secretAad(req.name, 'secretAccessKey')),
      createdAt: now,
      updatedAt: now,
    };
    const revision = await this.store.create(record);
    this.logger.info({ datasource: req.name, revision, accessKeyId: issued.accessKeyId, checked: !req.skipCheck }, 'datasource created');
    await this.emit(DatasourceCreated, req.name, revision);
    return this.withCredentials({ record, revision }, issued);
  }

  async get(name: string): Promise<DatasourceView> {
    return toView(await this.require(name));
  }

  async list(): Promise<{ datasources: DatasourceView[] }> {
    return { datasources: (await this.store.list()).map(toView) };
  }

  async update(name: string, change: DatasourceChange, expectedRevision?: number): Promise<DatasourceView> {
    const entry = await this.require(name);
    if (expectedRevision !== undefined && expectedRevision !== entry.revision) throw modifiedConcurrently(name, expectedRevision);
    const old = entry.record;
    const endpoint = change.clearEndpoint ? null : (change.endpoint ?? old.endpoint);
    const endpointChanged = endpoint !== old.endpoint;
    const selection =
      change.buckets !== undefined
        ? { buckets: change.buckets, bucketsRegexp: null }
        : change.bucketsRegexp !== undefined
          ? { buckets: null, bucketsRegexp: change.bucketsRegexp }
          : { buckets: old.buckets, bucketsRegexp: old.bucketsRegexp };
    const next: Omit<RemoteSettings, 'apiSecret'> = {
      apiKey: change.apiKey ?? old.apiKey,
      endpoint,
      region: change.clearRegion ? null : (change.region ?? old.region),
      // the default follows the endpoint (path style for a custom endpoint, virtual-host for AWS) unless given
      pathStyle: change.pathStyle ?? (endpointChanged ? endpoint !== null : old.pathStyle),
      ...selection,
    };
    const remoteChanged =
      change.apiSecret !== undefined ||
      next.apiKey !== old.apiKey ||
      endpointChanged ||
      next.region !== old.region ||
      next.pathStyle !== old.pathStyle ||
      !sameList(next.buckets, old.buckets) ||
      next.bucketsRegexp !== old.bucketsRegexp;
    const readOnly = change.readOnly ?? old.readOnly;
    if (!remoteChanged && readOnly === old.readOnly) return toView(entry); // nothing to write

    if (remoteChanged && !change.skipCheck) {
      await this.checkRemote({ ...next, apiSecret: change.apiSecret ?? this.open(old, 'apiSecret') });
    }
    const record: StoredDatasource = {
      ...old,
      ...next,
      readOnly,
      apiSecretEnc: change.apiSecret !== undefined ? this.box.seal(change.apiSecret, secretAad(name, 'apiSecret')) : old.apiSecretEnc,
      updatedAt: this.clock.now().toISOString(),
    };
    const revision = await this.store.update(record, expectedRevision ?? entry.revision);
    this.logger.info({ datasource: name, revision, checked: remoteChanged && !change.skipCheck }, 'datasource updated');
    await this.emit(DatasourceUpdated, name, revision);
    return toView({ record, revision });
  }

  async delete(name: string, expectedRevision?: number): Promise<{ deleted: true }> {
    const entry = await this.require(name);
    if (expectedRevision !== undefined && expectedRevision !== entry.revision) throw modifiedConcurrently(name, expectedRevision);
    const markerRevision = await this.store.delete(name, expectedRevision ?? entry.revision);
    this.logger.info({ datasource: name }, 'datasource deleted');
    await this.emit(DatasourceDeleted, name, markerRevision ?? entry.revision);
    return { deleted: true };
  }

  /** New gateway credentials; the old ones stop working once gateways see the new revision. */
  async reissue(name: string): Promise<DatasourceWithCredentials> {
    const entry = await this.require(name);
    const issued = issueCredentials();
    const record: StoredDatasource = {
      ...entry.record,
      accessKeyId: issued.accessKeyId,
      secretAccessKeyEnc: this.box.seal(issued.secretAccessKey, secretAad(name, 'secretAccessKey')),
      updatedAt: this.clock.now().toISOString(),
    };
    const revision = await this.store.update(record, entry.revision);
    this.logger.info({ datasource: name, revision, accessKeyId: issued.accessKeyId }, 'gateway credentials re-issued');
    await this.emit(DatasourceUpdated, name, revision);
    return this.withCredentials({ record, revision }, issued);
  }

  /** For gateways only (NATS): everything a worker needs, secrets decrypted. */
  async resolve(name: string): Promise<WorkerConfig> {
    const { record, revision } = await this.require(name);
    return {
      name: record.name,
      revision,
      endpoint: record.endpoint,
      region: record.region,
      pathStyle: record.pathStyle,
      readOnly: record.readOnly,
      buckets: record.buckets,
      bucketsRegexp: record.bucketsRegexp,
      remote: { accessKeyId: record.apiKey, secretAccessKey: this.open(record, 'apiSecret') },
      issued: { accessKeyId: record.accessKeyId, secretAccessKey: this.open(record, 'secretAccessKey') },
    };
  }

  private async require(name: string): Promise<StoredEntry> {
    const entry = await this.store.get(name);
    if (!entry) throw new BucketgateError('NOT_FOUND', `datasource "${name}" does not exist`, { name });
    return entry;
  }

  /** Asks discovery whether the remote accepts these settings; remote errors pass through with their reason. */
  private async checkRemote(s: RemoteSettings): Promise<void> {
    const result = await this.discovery.checkCredentials({
      apiKey: s.apiKey,
      apiSecret: s.apiSecret,
      endpoint: s.endpoint,
      region: s.region,
      pathStyle: s.pathStyle,
      buckets: s.buckets,
    });
    const missing = result.missingBuckets;
    if (missing.length > 0) {
      const names = missing.map((b) => `"${b}"`).join(', ');
      throw new BucketgateError(
        'INVALID',
        missing.length === 1 ? `bucket ${names} does not exist on the remote storage` : `buckets ${names} do not exist on the remote storage`,
        { missingBuckets: missing },
      );
    }
  }

  private open(record: StoredDatasource, field: 'apiSecret' | 'secretAccessKey'): string {
    const token = field === 'apiSecret' ? record.apiSecretEnc : record.secretAccessKeyEnc;
    try {
      return this.box.open(token, secretAad(record.name, field));
    } catch (err) {
      throw new BucketgateError(
        'INTERNAL',
        `the stored secrets of datasource "${record.name}" cannot be decrypted with this master key ` +
          '(was BUCKETGATE_MASTER_KEY or the key file changed?); restore the original key, or re-create the datasource',
        { name: record.name },
        { cause: err },
      );
    }
  }

  private withCredentials(entry: StoredEntry, credentials: IssuedCredentials): DatasourceWithCredentials {
    return { datasource: toView(entry), credentials, gateway: { endpoint: this.env.gatewayPublicUrl } };
  }

  /** The KV write is the truth (gateways watch it); a lost event is logged, not turned into a failed request. */
  private async emit(def: EventDef<typeof DatasourceCreated.payload>, name: string, revision: number): Promise<void> {
    const payload: DatasourceEvent = { name, revision, at: this.clock.now().toISOString() };
    try {
      await this.store.publish(def, payload, `${def.subject}:${name}:${revision}`);
    } catch (err) {
      this.logger.error({ err, datasource: name, subject: def.subject }, 'could not publish datasource event');
    }
  }
}

function sameList(a: string[] | null, b: string[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
