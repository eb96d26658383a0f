import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run build` writes dist/, which the Nest app serves at /. For `vite dev`, the API and the
// runtime are proxied to the Nest app on :3000.
export default defineConfig({
  plugins: [react()],
  build: { chunkSizeWarningLimit: 2500 },
  server: { proxy: { '/api': 'http://localhost:3000', '/copilotkit': 'http://localhost:3000' } },
});
