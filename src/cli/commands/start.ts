import { loadConfig } from '../../config/config.js'
import { startPlatform } from '../../main.js'
import { commonOptions, defineCommand } from '../command.js'

export const start = defineCommand({
  path: ['start'],
  describe: 'Run the API and the edge (data in --data-dir, default ./.workerhive)',
  options: {
    ...commonOptions,
    'edge-domain': { type: 'string' },
    'edge-processes': { type: 'string' },
    'log-level': { type: 'string' },
    storage: { type: 'string' },
    'postgres-url': { type: 'string' },
    'postgres-schema': { type: 'string' },
    'no-sandbox': { type: 'boolean' },
    dev: { type: 'boolean' },
  },
  async run({ values }) {
    const config = loadConfig({
      dataDir: values['data-dir'] as string | undefined,
      apiPort: values['api-port'] as string | undefined,
      edgePort: values['edge-port'] as string | undefined,
      host: values.host as string | undefined,
      edgeDomain: values['edge-domain'] as string | undefined,
      edgeProcesses: values['edge-processes'] as string | undefined,
      logLevel: values['log-level'] as 'info' | undefined,
      storage: values.storage as 'sqlite' | 'postgres' | undefined,
      postgresUrl: values['postgres-url'] as string | undefined,
      postgresSchema: values['postgres-schema'] as string | undefined,
      ...(values['no-sandbox'] ? { sandbox: false } : {}),
      ...(values.dev ? { dev: true } : {}),
    })
    // Handlers first: a signal that arrives while starting or printing still shuts down cleanly.
    let platform: Awaited<ReturnType<typeof startPlatform>> | undefined
    let stopping = false
    const stop = (signal: string) => {
      if (stopping) return
      stopping = true
      process.stdout.write(`Received ${signal}, shutting down.\n`)
      if (!platform) return // still starting: stopped right after startPlatform returns
      platform.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      )
    }
    process.on('SIGINT', () => stop('SIGINT'))
    process.on('SIGTERM', () => stop('SIGTERM'))
    platform = await startPlatform(config)
    if (stopping) {
      await platform.stop()
      process.exit(0)
    }
    const c = platform.credentials
    process.stdout.write(
      [
        'Workerhive is running.',
        `  API:     ${platform.apiUrl}`,
        `  Edge:    http://${config.host}:${platform.edgePort}`,
        `  Console: ${platform.apiUrl.replace(/\/client\/v4$/, '')}/console (sign in with the API token below)`,
        `  Data:    ${config.dataDir}`,
        '',
        'Point wrangler, the cloudflare SDK or curl at it (paste into your shell):',
        `export CLOUDFLARE_API_BASE_URL=${platform.apiUrl}`,
        `export CLOUDFLARE_ACCOUNT_ID=${c.accountId}`,
        `export CLOUDFLARE_API_TOKEN=${c.apiToken}`,
        `export CLOUDFLARE_EMAIL=${c.email}`,
        c.globalApiKey
          ? `export CLOUDFLARE_API_KEY=${c.globalApiKey}`
          : '# CLOUDFLARE_API_KEY: this node joined a shared store; the global key is in the first node\'s credentials.json',
        '',
      ].join('\n'),
    )
    return -1
  },
})
