import { defineConfig } from 'vite';

// The console is served by agentdesk itself: index.html at "/" and every
// other file under /console/assets/ with a content hash in its name (so the
// server can let browsers cache them for a year). Nothing is loaded from
// another origin. The output is committed and embedded with go:embed, so the
// build must give the same bytes every time: no timestamps, no absolute
// paths, no source maps.
export default defineConfig({
  base: '/console/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    // Monaco (GraphiQL's editor) is large; it is served from this origin
    // with a long cache lifetime, so the size warning says nothing useful.
    chunkSizeWarningLimit: 8000,
    // Small assets as files too: the CSP allows no inline code.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    rolldownOptions: {
      onwarn(warning, warn) {
        // "use client" directives of React libraries mean nothing in a
        // client-only bundle.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') {
          return;
        }
        warn(warning);
      },
    },
  },
  worker: { format: 'es' },
});
