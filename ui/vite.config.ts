import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

// The desktop shell serves `dist/` under a CSP of `script-src 'self'; style-src 'self'`, so the
// build must put every script and stylesheet in its own file: Svelte emits component CSS as
// virtual CSS modules that Vite extracts into `dist/assets/*.css` (never runtime-injected), and
// nothing is inlined as a data: URI.
export default defineConfig({
  base: './',
  plugins: [svelte({ emitCss: true })],
  clearScreen: false,
  envPrefix: ['VITE_', 'TAURI_ENV_'],
  server: {
    port: 1420,
    strictPort: true,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    assetsInlineLimit: 0,
    cssCodeSplit: false,
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
