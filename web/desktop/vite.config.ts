import { defineConfig } from 'vite';

// The page is served at /desktop/{tenantSlug}; its assets at
// /desktop/assets/<name>-<hash>.<ext> (cached for a year by the server).
export default defineConfig({
  base: '/desktop/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    // The strict CSP allows no inline script: no modulepreload polyfill.
    modulePreload: { polyfill: false },
    // No inline data: URLs either (img-src 'self').
    assetsInlineLimit: 0,
    target: 'es2022',
    sourcemap: false,
  },
});
