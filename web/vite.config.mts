// The settings page's build (Vue 3 + Vite + the Bitrix24 UI kit, portal-ui-wire.md §3). The server
// serves web/dist under the page's URL (config/endpoints.ts settingsPage), so the base is that path.
import { fileURLToPath } from 'node:url';
import bitrix24UIPluginVite from '@bitrix24/b24ui-nuxt/vite';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/b24/settings/',
  plugins: [vue(), bitrix24UIPluginVite({ router: false, colorMode: true })],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  logLevel: 'warn',
});
