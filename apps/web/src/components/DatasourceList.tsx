import type { DatasourceView, GatewayStatus } from '@bucketgate/contracts';
import type { ApiError } from '../api.js';
import { describeSelection } from '../selection.js';
import { datasourceStatus, type LiveStatus } from '../status.js';
import { ApiErrorMessage } from './ui.js';

export function StatusBadge({ status }: { status: LiveStatus }) {
  return (
    <span className={`badge ${status.state}`} data-state={status.state} title={status.detail}>
      <span className="dot" aria-hidden="true" />
      {status.label}
    </span>
  );
}

export function DatasourceList({
  datasources,
  gateways,
  error,
}: {
  datasources: DatasourceView[] | undefined;
  gateways: GatewayStatus[] | undefined;
  error: ApiError | undefined;
}) {
  return (
    <section className="card" aria-labelledby="list-title">
      <div className="card-head">
        <h2 id="list-title">Datasources</h2>
        <a className="button" href="#/new">
          New datasource
        </a>
      </div>
      {error && <ApiErrorMessage error={error} />}
      {datasources === undefined && !error && <p role="status">Loading…</p>}
      {datasources !== undefined && datasources.length === 0 && (
        <p className="empty">No datasource yet. Connect a storage with “New datasource”.</p>
      )}
      {datasources !== undefined && datasources.length > 0 && (
        <ul className="ds-list">
          {datasources.map((ds) => {
            const status = datasourceStatus(ds, gateways);
            return (
              <li key={ds.name} className="ds" data-datasource={ds.name}>
                <div className="ds-head">
                  <h3>
                    <a href={`#/datasources/${encodeURIComponent(ds.name)}`}>{ds.name}</a>
                  </h3>
                  <StatusBadge status={status} />
                </div>
                <dl className="ds-facts">
                  <div>
                    <dt>Endpoint</dt>
                    <dd className="mono">{ds.endpoint ?? 'Amazon S3'}</dd>
                  </div>
                  <div>
                    <dt>Buckets</dt>
                    <dd className="mono" data-testid="selection">
                      {describeSelection(ds)}
                    </dd>
                  </div>
                  <div>
                    <dt>Access</dt>
                    <dd>{ds.readOnly ? 'read-only' : 'read-write'}</dd>
                  </div>
                  <div className="wide">
                    <dt>Status</dt>
                    <dd className="status-detail" data-testid="status-detail">
                      {status.detail}
                    </dd>
                  </div>
                </dl>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
