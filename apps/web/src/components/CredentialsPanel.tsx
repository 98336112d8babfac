import { useEffect, useRef, useState } from 'react';
import type { DatasourceWithCredentials } from '@bucketgate/contracts';
import { awsCliSnippet, rcloneSnippet, sdkSnippet, type SnippetInput } from '../snippets.js';
import { selectionSentence } from '../selection.js';
import { CopyButton } from './ui.js';

const TABS = [
  { id: 'aws', label: 'aws cli', what: 'Run in a shell (aws cli v2):', make: awsCliSnippet },
  { id: 'rclone', label: 'rclone', what: 'Add to rclone.conf:', make: rcloneSnippet },
  { id: 'sdk', label: '@aws-sdk/client-s3', what: 'JavaScript / TypeScript (ES module):', make: sdkSnippet },
] as const;

/**
 * The one moment the issued gateway secret is visible: endpoint, access key and secret with copy buttons,
 * and client snippets. Closing the panel drops the secret from the page for good.
 */
export function CredentialsPanel({
  issued,
  reason,
  onDone,
}: {
  issued: DatasourceWithCredentials;
  reason: 'created' | 'reissued';
  onDone: () => void;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  const [tab, setTab] = useState<(typeof TABS)[number]['id']>('aws');
  useEffect(() => heading.current?.focus(), []);
  const ds = issued.datasource;
  const input: SnippetInput = {
    datasource: ds.name,
    endpoint: issued.gateway.endpoint,
    accessKeyId: issued.credentials.accessKeyId,
    secretAccessKey: issued.credentials.secretAccessKey,
  };
  const current = TABS.find((t) => t.id === tab)!;
  const snippet = current.make(input);
  const rows: [string, string, string][] = [
    ['Gateway endpoint', issued.gateway.endpoint, 'gateway-endpoint'],
    ['Access key ID', issued.credentials.accessKeyId, 'access-key-id'],
    ['Secret access key', issued.credentials.secretAccessKey, 'secret-access-key'],
  ];

  return (
    <section className="card credentials" aria-labelledby="cred-title">
      <h2 id="cred-title" tabIndex={-1} ref={heading}>
        {reason === 'created' ? `Datasource ${ds.name} is ready` : `New gateway credentials for ${ds.name}`}
      </h2>
      <p className="notice warn">
        <strong>Copy the secret now:</strong> it is shown only this once. {reason === 'reissued' && 'The previous access key no longer works.'}
      </p>
      <p className="lead">
        With these credentials, S3 clients reach {selectionSentence(ds)} at this endpoint{ds.readOnly ? ', read-only' : ''}.
      </p>
      <dl className="secrets">
        {rows.map(([label, value, id]) => (
          <div key={id} className="secret-row">
            <dt id={`${id}-label`}>{label}</dt>
            <dd>
              <code data-testid={id} aria-labelledby={`${id}-label`}>
                {value}
              </code>
              <CopyButton text={value} label={label} />
            </dd>
          </div>
        ))}
      </dl>

      <h3>Use it from a client</h3>
      <div className="tabs" role="tablist" aria-label="Client">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            className={tab === t.id ? 'tab active' : 'tab'}
            onClick={() => setTab(t.id)}
            onKeyDown={(e) => {
              if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
              const i = TABS.findIndex((x) => x.id === tab);
              const next = TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length]!;
              setTab(next.id);
              document.getElementById(`tab-${next.id}`)?.focus();
            }}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="snippet" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        <div className="snippet-bar">
          <span>{current.what}</span>
          <CopyButton text={snippet} label={`${current.label} snippet`} />
        </div>
        <pre tabIndex={0}>
          <code>{snippet}</code>
        </pre>
      </div>

      <div className="actions">
        <button type="button" onClick={onDone}>
          Done, I have copied them
        </button>
      </div>
    </section>
  );
}
