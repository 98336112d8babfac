import { useId, useMemo, useState, type FormEvent } from 'react';
import { CreateDatasourceRequest, type DatasourceWithCredentials } from '@bucketgate/contracts';
import { ApiError, type CreateDatasourceInput } from '../api.js';
import { remoteAccessOf, type EndpointType } from '../remote.js';
import { useApi } from '../api-context.js';
import { emptySelection, selectionProblem, selectionToRequest, type SelectionState } from '../selection.js';
import { useBucketListing } from '../useBucketListing.js';
import { BucketPicker } from './BucketPicker.js';
import { ApiErrorMessage, SecretField, TextField } from './ui.js';

interface FormState {
  name: string;
  endpointType: EndpointType;
  endpoint: string;
  pathStyle: boolean;
  region: string;
  apiKey: string;
  apiSecret: string;
  readOnly: boolean;
}

const initial: FormState = {
  name: '',
  endpointType: 'custom',
  endpoint: '',
  pathStyle: true,
  region: '',
  apiKey: '',
  apiSecret: '',
  readOnly: false,
};

function fieldErrors(body: CreateDatasourceInput, f: FormState): Record<string, string> {
  const out: Record<string, string> = {};
  const result = CreateDatasourceRequest.safeParse(body);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? 'form');
      out[key] ??= issue.message;
    }
  }
  if (f.endpointType === 'custom' && f.endpoint.trim() === '') out.endpoint = 'type the endpoint URL, e.g. https://minio.example.com:9000';
  return out;
}

export function NewDatasource({ onCreated, onCancel }: { onCreated: (r: DatasourceWithCredentials) => void; onCancel: () => void }) {
  const api = useApi();
  const [f, setF] = useState<FormState>(initial);
  const [selection, setSelection] = useState<SelectionState>(emptySelection);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [submitted, setSubmitted] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<ApiError | null>(null);
  const typeName = useId();

  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setF((s) => ({ ...s, [k]: v }));
  const touch = (k: string) => () => setTouched((t) => (t[k] ? t : { ...t, [k]: true }));

  const access = useMemo(() => remoteAccessOf(f), [f]);
  const { listing, reload } = useBucketListing(api, access);

  const body: CreateDatasourceInput = {
    name: f.name.trim(),
    apiKey: f.apiKey,
    apiSecret: f.apiSecret,
    ...(f.endpointType === 'custom' ? { endpoint: f.endpoint.trim(), pathStyle: f.pathStyle } : {}),
    ...(f.region.trim() ? { region: f.region.trim() } : {}),
    readOnly: f.readOnly,
    ...selectionToRequest(selection),
  };
  const errors = fieldErrors(body, f);
  const selProblem = selectionProblem(selection);
  const show = (k: string) => (submitted || touched[k] ? errors[k] : undefined);
  const canSave = Object.keys(errors).length === 0 && !selProblem && !saving;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (!canSave) return;
    setSaving(true);
    setSaveError(null);
    try {
      const created = await api.createDatasource(body);
      // The remote secret has done its job: drop it (and everything else typed) from the page state.
      setF(initial);
      setSelection(emptySelection);
      onCreated(created);
    } catch (err) {
      setSaveError(err instanceof ApiError ? err : new ApiError('INTERNAL', String(err)));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="new-ds-title">
      <h2 id="new-ds-title">New datasource</h2>
      <p className="lead">Connect a storage account; its buckets appear as soon as the key and secret are filled in.</p>

      <TextField
        label="Datasource name"
        value={f.name}
        onChange={(e) => set('name', e.target.value)}
        onBlur={touch('name')}
        autoComplete="off"
        spellCheck={false}
        autoCapitalize="off"
        required
        hint="Lowercase letters, digits and dashes, e.g. team-archive."
        error={show('name')}
      />

      <fieldset className="group">
        <legend>Storage</legend>
        <fieldset className="modes">
          <legend>Endpoint type</legend>
          <div className="segmented">
            {(
              [
                ['aws', 'Amazon S3'],
                ['custom', 'Custom (MinIO, Ceph, Wasabi…)'],
              ] as const
            ).map(([v, label]) => (
              <label key={v} className={f.endpointType === v ? 'active' : undefined}>
                <input type="radio" name={typeName} value={v} checked={f.endpointType === v} onChange={() => set('endpointType', v)} />
                {label}
              </label>
            ))}
          </div>
        </fieldset>

        {f.endpointType === 'custom' && (
          <>
            <TextField
              label="Endpoint URL"
              type="url"
              inputMode="url"
              value={f.endpoint}
              onChange={(e) => set('endpoint', e.target.value)}
              onBlur={touch('endpoint')}
              placeholder="https://minio.example.com:9000"
              autoComplete="off"
              spellCheck={false}
              autoCapitalize="off"
              hint="Scheme, host and port, no path."
              error={show('endpoint')}
            />
            <div className="field checkbox">
              <label>
                <input type="checkbox" checked={f.pathStyle} onChange={(e) => set('pathStyle', e.target.checked)} />
                <span>
                  Path-style requests (<code>host/bucket/key</code>; most self-hosted storages need this)
                </span>
              </label>
            </div>
          </>
        )}

        <TextField
          label="Region (optional)"
          value={f.region}
          onChange={(e) => set('region', e.target.value)}
          onBlur={touch('region')}
          placeholder={f.endpointType === 'aws' ? 'found automatically' : 'us-east-1'}
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="off"
          error={show('region')}
        />
        <TextField
          label="API key"
          value={f.apiKey}
          onChange={(e) => set('apiKey', e.target.value)}
          onBlur={touch('apiKey')}
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="off"
          className="mono"
          required
          error={show('apiKey')}
        />
        <SecretField
          label="API secret"
          value={f.apiSecret}
          onChange={(e) => set('apiSecret', e.target.value)}
          onBlur={touch('apiSecret')}
          className="mono"
          required
          error={show('apiSecret')}
        />
      </fieldset>

      <BucketPicker
        listing={listing}
        value={selection}
        onChange={setSelection}
        access={access}
        idleText={
          f.endpointType === 'custom' && errors.endpoint && f.endpoint.trim()
            ? `Fix the endpoint URL: ${errors.endpoint}.`
            : 'Fill in the endpoint, API key and API secret to see the buckets.'
        }
        onBucketCreated={(name) => {
          reload();
          setSelection((s) => (s.mode === 'pick' ? { ...s, picked: [...s.picked.filter((n) => n !== name), name] } : s));
        }}
      />
      {submitted && selProblem && <p className="field-error">{selProblem}</p>}

      <div className="field checkbox">
        <label>
          <input type="checkbox" checked={f.readOnly} onChange={(e) => set('readOnly', e.target.checked)} />
          <span>Read-only (clients can list and download, not upload or delete)</span>
        </label>
      </div>

      {saveError && <ApiErrorMessage error={saveError} />}
      <div className="actions">
        <button type="submit" disabled={saving} aria-disabled={!canSave}>
          {saving ? 'Saving…' : 'Save datasource'}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
