import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { DatasourceView, DatasourceWithCredentials, GatewayStatus } from '@bucketgate/contracts';
import { ApiError, isAbort, type DatasourcePatchInput } from '../api.js';
import { useApi } from '../api-context.js';
import { remoteAccessOf } from '../remote.js';
import { describeSelection, sameSelection, selectionFromView, selectionProblem, selectionToRequest, type SelectionState } from '../selection.js';
import { datasourceStatus } from '../status.js';
import { useBucketListing } from '../useBucketListing.js';
import { BucketPicker } from './BucketPicker.js';
import { StatusBadge } from './DatasourceList.js';
import { ApiErrorMessage, SecretField, TextField } from './ui.js';

const asApiError = (err: unknown) => (err instanceof ApiError ? err : new ApiError('INTERNAL', String(err)));

export function EditDatasource({
  name,
  gateways,
  latestRevision,
  onIssued,
  onDeleted,
  onChanged,
}: {
  name: string;
  gateways: GatewayStatus[] | undefined;
  /** The revision the polled datasources list shows: newer than the one read means someone else changed it. */
  latestRevision: number | undefined;
  onIssued: (r: DatasourceWithCredentials) => void;
  onDeleted: (name: string) => void;
  onChanged: () => void;
}) {
  const api = useApi();
  const [view, setView] = useState<DatasourceView | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const load = useCallback(
    async (signal?: AbortSignal) => {
      setLoadError(null);
      try {
        setView(await api.getDatasource(name, signal));
      } catch (err) {
        if (!isAbort(err)) setLoadError(asApiError(err));
      }
    },
    [api, name],
  );
  useEffect(() => {
    const c = new AbortController();
    void load(c.signal);
    return () => c.abort();
  }, [load]);

  if (loadError) {
    return (
      <section className="card">
        <h2>Datasource {name}</h2>
        <ApiErrorMessage error={loadError} />
        <p>
          <a href="#/">Back to the datasources</a>
        </p>
      </section>
    );
  }
  if (!view) return <p role="status">Loading {name}…</p>;
  const status = datasourceStatus(view, gateways);

  return (
    <div className="stack">
      <section className="card" aria-labelledby="edit-title">
        <p>
          <a href="#/">← All datasources</a>
        </p>
        <div className="card-head">
          <h2 id="edit-title">Datasource {view.name}</h2>
          <StatusBadge status={status} />
        </div>
        <dl className="ds-facts">
          <div>
            <dt>Endpoint</dt>
            <dd className="mono">{view.endpoint ?? 'Amazon S3'}</dd>
          </div>
          <div>
            <dt>Region</dt>
            <dd className="mono">{view.region ?? 'automatic'}</dd>
          </div>
          <div>
            <dt>Buckets</dt>
            <dd className="mono" data-testid="selection">
              {describeSelection(view)}
            </dd>
          </div>
          <div>
            <dt>Access</dt>
            <dd>{view.readOnly ? 'read-only' : 'read-write'}</dd>
          </div>
          <div className="wide">
            <dt>Status</dt>
            <dd data-testid="status-detail">{status.detail}</dd>
          </div>
        </dl>
      </section>

      {latestRevision !== undefined && latestRevision > view.revision && (
        <div className="notice warn" role="status">
          <p>This datasource was changed elsewhere since this page read it.</p>
          <button
            type="button"
            className="secondary small"
            onClick={() => {
              setSaved(null);
              void load();
            }}
          >
            Load the current version
          </button>
        </div>
      )}
      <SettingsForm
        key={view.revision}
        view={view}
        saved={saved}
        onSaving={() => setSaved(null)}
        onSaved={(v) => {
          setView(v);
          setSaved(`Saved at ${new Date().toLocaleTimeString()}.`);
          onChanged();
        }}
        onReload={() => {
          setSaved(null);
          void load();
        }}
      />
      <ReissueSection view={view} onIssued={onIssued} />
      <DeleteSection view={view} onDeleted={onDeleted} />
    </div>
  );
}

function SettingsForm({
  view,
  saved,
  onSaving,
  onSaved,
  onReload,
}: {
  view: DatasourceView;
  saved: string | null;
  onSaving: () => void;
  onSaved: (v: DatasourceView) => void;
  onReload: () => void;
}) {
  const api = useApi();
  const [apiKey, setApiKey] = useState(view.apiKey);
  const [apiSecret, setApiSecret] = useState('');
  const [readOnly, setReadOnly] = useState(view.readOnly);
  const [selection, setSelection] = useState<SelectionState>(() => selectionFromView(view));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  // Typing the secret (to rotate it, or just to see the buckets) lists the remote's buckets.
  const access = useMemo(
    () =>
      remoteAccessOf({
        endpointType: view.endpoint ? 'custom' : 'aws',
        endpoint: view.endpoint ?? '',
        region: view.region ?? '',
        pathStyle: view.pathStyle,
        apiKey,
        apiSecret,
      }),
    [view, apiKey, apiSecret],
  );
  const { listing, reload } = useBucketListing(api, access);

  const buildPatch = (): DatasourcePatchInput | string => {
    const patch: DatasourcePatchInput = {};
    const selProblem = selectionProblem(selection);
    if (selProblem) return selProblem;
    const sel = selectionToRequest(selection);
    if (!sameSelection(sel, view)) Object.assign(patch, sel);
    if (apiSecret) {
      patch.apiKey = apiKey.trim();
      patch.apiSecret = apiSecret;
    } else if (apiKey.trim() !== view.apiKey) {
      return 'Type the API secret that goes with the new API key.';
    }
    if (readOnly !== view.readOnly) patch.readOnly = readOnly;
    if (Object.keys(patch).length === 0) return 'Nothing has changed.';
    return patch;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    onSaving();
    const patch = buildPatch();
    if (typeof patch === 'string') {
      setProblem(patch);
      return;
    }
    setProblem(null);
    setSaving(true);
    try {
      const next = await api.updateDatasource(view.name, patch, view.revision);
      setApiSecret(''); // never keep a secret around longer than needed
      onSaved(next);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      {saved && (
        <p className="success" role="status">
          {saved}
        </p>
      )}
      <fieldset className="group">
        <legend>Storage credentials</legend>
        <TextField
          label="API key"
          value={apiKey}
          onChange={(e) => setApiKey(e.target.value)}
          className="mono"
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="off"
        />
        <SecretField
          label="API secret"
          value={apiSecret}
          onChange={(e) => setApiSecret(e.target.value)}
          className="mono"
          placeholder="unchanged"
          hint="Leave empty to keep the current secret. Type a new one to rotate it (it is checked against the storage), or the current one to list the buckets below."
        />
      </fieldset>

      <BucketPicker
        listing={listing}
        value={selection}
        onChange={setSelection}
        access={access}
        idleText="Type the API secret above to list the storage’s buckets; you can edit the selection without it."
        onBucketCreated={(b) => {
          reload();
          setSelection((s) => (s.mode === 'pick' ? { ...s, picked: [...s.picked.filter((n) => n !== b), b] } : s));
        }}
      />

      <div className="field checkbox">
        <label>
          <input type="checkbox" checked={readOnly} onChange={(e) => setReadOnly(e.target.checked)} />
          <span>Read-only (clients can list and download, not upload or delete)</span>
        </label>
      </div>

      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      {error && (
        <ApiErrorMessage error={error}>
          {error.code === 'CONFLICT' && (
            <button type="button" className="secondary" onClick={onReload}>
              Reload
            </button>
          )}
        </ApiErrorMessage>
      )}
      <div className="actions">
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : 'Save changes'}
        </button>
      </div>
    </form>
  );
}

function ReissueSection({ view, onIssued }: { view: DatasourceView; onIssued: (r: DatasourceWithCredentials) => void }) {
  const api = useApi();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);

  return (
    <section className="card" aria-labelledby="reissue-title">
      <h2 id="reissue-title">Gateway credentials</h2>
      <p>
        Clients use access key <code data-testid="current-access-key">{view.accessKeyId}</code>. Its secret was shown once when it was issued.
      </p>
      {!confirming ? (
        <button type="button" className="secondary" onClick={() => setConfirming(true)}>
          Issue new credentials…
        </button>
      ) : (
        <div className="confirm" role="group" aria-labelledby="reissue-q">
          <p id="reissue-q">The current access key stops working at once. Issue new credentials for {view.name}?</p>
          <div className="actions">
            <button
              type="button"
              ref={confirmButton}
              disabled={busy}
              onClick={async () => {
                setBusy(true);
                setError(null);
                try {
                  onIssued(await api.reissueCredentials(view.name));
                } catch (err) {
                  setError(asApiError(err));
                } finally {
                  setBusy(false);
                }
              }}
            >
              {busy ? 'Issuing…' : 'Yes, issue new credentials'}
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {error && <ApiErrorMessage error={error} />}
    </section>
  );
}

function DeleteSection({ view, onDeleted }: { view: DatasourceView; onDeleted: (name: string) => void }) {
  const api = useApi();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (open) input.current?.focus();
  }, [open]);
  const matches = typed.trim() === view.name;

  const remove = async (e: FormEvent) => {
    e.preventDefault();
    if (!matches || busy) return;
    setBusy(true);
    setError(null);
    try {
      await api.deleteDatasource(view.name, view.revision);
      onDeleted(view.name);
    } catch (err) {
      setError(asApiError(err));
      setBusy(false);
    }
  };

  return (
    <section className="card danger-zone" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete</h2>
      <p>The gateway stops serving {view.name} and its credentials stop working. Buckets and objects on the storage are not touched.</p>
      {!open ? (
        <button type="button" className="danger" onClick={() => setOpen(true)}>
          Delete datasource…
        </button>
      ) : (
        <form onSubmit={remove} className="confirm" noValidate>
          <TextField
            ref={input}
            label={
              <>
                Type <strong className="mono">{view.name}</strong> to confirm
              </>
            }
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            autoCapitalize="off"
          />
          <div className="actions">
            <button type="submit" className="danger" disabled={!matches || busy}>
              {busy ? 'Deleting…' : `Delete ${view.name}`}
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setOpen(false);
                setTyped('');
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      )}
      {error && <ApiErrorMessage error={error} />}
    </section>
  );
}
