import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { httpApi } from './api.js';
import { ApiProvider } from './api-context.js';
import { App } from './App.js';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApiProvider api={httpApi()}>
      <App />
    </ApiProvider>
  </StrictMode>,
);
