import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { useLab } from './state/store';
import { App } from './ui/App';
import './ui/app.css';

// The store, for researchers poking at results in the devtools console (and the end-to-end tests):
// `plasticityLab.getState().results`.
Object.assign(window, { plasticityLab: { getState: useLab.getState, subscribe: useLab.subscribe } });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
