import 'graphiql/setup-workers/vite';
// GraphiQL's styles without its bundled web fonts (graphiql/style.css
// inlines Roboto and Fira Code): the console uses the system's fonts.
import '@graphiql/react/style.css';
import '@graphiql/plugin-doc-explorer/style.css';
import '@graphiql/plugin-history/style.css';
import 'graphiql/graphiql.css';
import '@graphiql/plugin-explorer/style.css';
import './console.css';
import { createRoot } from 'react-dom/client';
import { App } from './App.jsx';

// Monaco rejects its pending work with a "Canceled" error when an editor
// is disposed (the console makes a new GraphiQL at every sign-in and
// sign-out); that is cleanup, not a failure.
window.addEventListener('unhandledrejection', (event) => {
  if (event.reason?.name === 'Canceled' && event.reason?.message === 'Canceled') {
    event.preventDefault();
  }
});

createRoot(document.getElementById('root')).render(<App />);
