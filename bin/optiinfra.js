#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `npm start` needs no build step for the server.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../server/cli/main.ts')
await main(process.argv)
