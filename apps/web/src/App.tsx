import { useCallback, useEffect, useRef, useState } from 'react';
import type { DatasourceWithCredentials } from '@bucketgate/contracts';
import { useApi } from './api-context.js';
import { CredentialsPanel } from './components/CredentialsPanel.js';
import { DatasourceList } from './components/DatasourceList.js';
import { EditDatasource } from './components/EditDatasource.js';
import { NewDatasource } from './components/NewDatasource.js';
import { usePolling } from './usePolling.js';

type Route = { page: 'list' } | { page: 'new' } | { page: 'edit'; name: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  if (path === '/new') return { page: 'new' };
  const m = /^\/datasources\/([^/]+)$/.exec(path);
  if (m) return { page: 'edit', name: decodeURIComponent(m[1]!) };
  return { page: 'list' };
}

function useHashRoute(): [Route, (hash: string) => void] {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const go = useCallback((hash: string) => {
    if (window.location.hash === hash) setRoute(parseRoute(hash));
    else window.location.hash = hash;
  }, []);
  return [route, go];
}

export function App() {
  const api = useApi();
  const [route, go] = useHashRoute();
  const datasources = usePolling((signal) => api.listDatasources(signal));
  const gateways = usePolling((signal) => api.listGateways(signal));
  const [issued, setIssued] = useState<{ result: DatasourceWithCredentials; reason: 'created' | 'reissued' } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const main = useRef<HTMLElement>(null);

  // After navigating, move focus to the new page's heading so keyboard and screen-reader users land on it.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (route.page !== 'list') setNotice(null);
    const h = main.current?.querySelector<HTMLElement>('h2');
    if (h && !issued) {
      h.tabIndex = -1;
      h.focus();
    }
  }, [route, issued]);

  const showIssued = (result: DatasourceWithCredentials, reason: 'created' | 'reissued') => {
    setNotice(null);
    setIssued({ result, reason });
    void datasources.refresh();
  };

  let page;
  if (issued) {
    page = (
      <CredentialsPanel
        issued={issued.result}
        reason={issued.reason}
        onDone={() => {
          const name = issued.result.datasource.name;
          setIssued(null); // the issued secret leaves the page here
          go(issued.reason === 'created' ? '#/' : `#/datasources/${encodeURIComponent(name)}`);
        }}
      />
    );
  } else if (route.page === 'new') {
    page = <NewDatasource onCreated={(r) => showIssued(r, 'created')} onCancel={() => go('#/')} />;
  } else if (route.page === 'edit') {
    page = (
      <EditDatasource
        key={route.name}
        name={route.name}
        gateways={gateways.data}
        latestRevision={datasources.data?.find((d) => d.name === route.name)?.revision}
        onIssued={(r) => showIssued(r, 'reissued')}
        onChanged={() => void datasources.refresh()}
        onDeleted={(name) => {
          setNotice(`Datasource ${name} was deleted.`);
          void datasources.refresh();
          go('#/');
        }}
      />
    );
  } else {
    page = <DatasourceList datasources={datasources.data} gateways={gateways.data} error={datasources.error} />;
  }

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <a href="#/" className="brand">
          <span className="logo" aria-hidden="true">
            ◧
          </span>
          bucketgate
        </a>
        <span className="tagline">remote S3 storages, served through one gateway</span>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        {page}
      </main>
    </>
  );
}
