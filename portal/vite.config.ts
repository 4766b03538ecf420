import { defineConfig, type Plugin } from 'vite'
import react from '@vitejs/plugin-react'
import { fileURLToPath } from 'node:url'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

const root = fileURLToPath(new URL('.', import.meta.url))
const outDir = fileURLToPath(new URL('./dist/', import.meta.url))
// react-router 7 publishes no "production" export condition, so bundlers pick its development
// build (dev-only checks and warnings in the shipped code). Point at its production build instead.
const routerDist = fileURLToPath(new URL('../node_modules/react-router/dist/production/', import.meta.url))

/**
 * Writes `.br` and `.gz` beside each built text asset, so the server can send them as they are
 * (@fastify/static `preCompressed`): a quarter of the bytes, and no compression work per request
 * on a process that also runs the workflows and agents.
 */
function precompress(): Plugin {
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
    const full = path.join(dir, f)
    return statSync(full).isDirectory() ? walk(full) : [full]
  })
  return {
    name: 'optiinfra-precompress',
    apply: 'build',
    closeBundle() {
      for (const file of walk(outDir).filter((f) => /\.(js|css|html|svg|json)$/.test(f))) {
        const body = readFileSync(file)
        if (body.length < 1024) continue
        writeFileSync(`${file}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }))
        writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }))
      }
    },
  }
}

/**
 * The portal SPA. Built to `portal/dist/`, which the API server serves at `/` (one origin, so
 * no CORS and the session token never leaves it). Client routes live under `/app/`.
 */
export default defineConfig({
  root,
  base: '/',
  plugins: [react(), precompress()],
  resolve: {
    alias: [
      { find: /^react-router$/, replacement: `${routerDist}index.mjs` },
      { find: /^react-router\/dom$/, replacement: `${routerDist}dom-export.mjs` },
    ],
  },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 900,
    rollupOptions: {
      output: {
        // long-lived vendor chunks: the app's own code changes often, React and the charts rarely
        manualChunks(id) {
          if (!id.includes('node_modules')) return undefined
          if (/node_modules\/(react|react-dom|react-router|react-router-dom|scheduler|cookie|set-cookie-parser)\//.test(id)) return 'react'
          return 'vendor'
        },
      },
    },
  },
})
