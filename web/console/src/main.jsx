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

createRoot(document.getElementById('root')).render(<App />);
