import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const webDir = path.dirname(fileURLToPath(import.meta.url));
/** The API server the dev server proxies to (`npx vite --config web/vite.config.ts`). */
const apiTarget = process.env.WANGGE_API_URL ?? 'http://127.0.0.1:3990';

export default defineConfig({
  root: webDir,
  base: '/',
  plugins: [react()],
  build: {
    // The server serves dist/web at the repo root (src/server/paths.ts WEB_DIST_DIR).
    outDir: path.resolve(webDir, '..', 'dist', 'web'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    rolldownOptions: {
      output: {
        // Keep the big vendor libraries in their own long-cached files.
        codeSplitting: {
          groups: [
            { name: 'antd', test: /node_modules[\\/](antd|@ant-design|rc-|@rc-component)/ },
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-i18next|i18next)[\\/]/, priority: 2 },
            { name: 'leaflet', test: /node_modules[\\/]leaflet/ },
          ],
        },
      },
    },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: { '/api': { target: apiTarget, changeOrigin: false } },
  },
});
