import type { startPlatform } from '../../main.js'
import { dataDirOption, defineCommand, str } from '../command.js'
import type { ConfigInput } from '../../config/config.js'
import { configFromFlags, settingOfFlag } from '../config-flags.js'

export const start = defineCommand({
  path: ['start'],
  describe: 'Run the API and the edge (data in --data-dir, default ./.workerhive, created if absent)',
  options: {
    ...dataDirOption,
    'api-port': { type: 'string', value: 'PORT', describe: 'Port of the v4 API (default 8080)' },
    'edge-port': { type: 'string', value: 'PORT', describe: 'Port of the edge (default 8787)' },
    'https-port': { type: 'string', value: 'PORT', describe: 'Port of the edge over HTTPS: SNI, HTTP/2 (default: off)' },
    'acme-directory-url': { type: 'string', value: 'URL', describe: 'ACME directory issuing certificates of custom hostnames (default: off)' },
    'acme-email': { type: 'string', value: 'EMAIL', describe: 'Contact of the ACME account' },
    'acme-ca-file': { type: 'string', value: 'FILE', describe: "PEM CA certificates trusted for the ACME directory's HTTPS" },
    host: { type: 'string', value: 'ADDRESS', describe: 'Address both ports listen on (default 127.0.0.1)' },
    'edge-domain': { type: 'string', value: 'DOMAIN', describe: 'Domain of default hostnames <script>.<subdomain>.DOMAIN (default localhost)' },
    'edge-processes': { type: 'string', value: 'N', describe: 'workerd processes serving the edge (default: cores, 2 to 4)' },
    'log-level': { type: 'string', value: 'LEVEL', describe: 'debug, info, warn, error or silent (default info)' },
    storage: { type: 'string', value: 'KIND', describe: 'sqlite (default) or postgres' },
    'postgres-url': { type: 'string', value: 'URL', describe: 'PostgreSQL connection string, with --storage postgres' },
    'postgres-schema': { type: 'string', value: 'SCHEMA', describe: 'PostgreSQL schema of the tables (default: the search_path)' },
    'node-url': { type: 'string', value: 'URL', describe: "Origin other nodes reach this node's API port at, with postgres (default http://HOST:API-PORT)" },
    'private-allow': { type: 'string', value: 'LIST', describe: 'Private destinations account scripts may reach: CIDR:PORT,… (default none)' },
    'secrets-key-file': { type: 'string', value: 'FILE', describe: 'Key sealing secrets at rest (default: secrets.key in the data dir; required with postgres, or WORKERHIVE_SECRETS_KEY)' },
    'no-sandbox': { type: 'boolean', describe: 'Run workerd without bubblewrap' },
    dev: { type: 'boolean', describe: 'Development: error pages show the exception (never on a public install)' },
    'verify-hostnames': { type: 'string', value: 'BOOL', describe: 'Check ownership of custom hostnames (default true; false: active at once)' },
    'max-dispatch-namespaces': { type: 'string', value: 'N', describe: 'Dispatch namespaces per account (default 100, 0: no limit)' },
    'max-account-scripts': { type: 'string', value: 'N', describe: 'Account-level Workers per account (default 500, 0: no limit)' },
    'max-namespace-scripts': { type: 'string', value: 'N', describe: 'User Workers per dispatch namespace (default 0: no limit)' },
    'max-kv-namespaces': { type: 'string', value: 'N', describe: 'KV namespaces per account (default 1000, 0: no limit)' },
    'max-routes-per-zone': { type: 'string', value: 'N', describe: 'Worker routes per zone (default 1000, 0: no limit)' },
    'log-retention-days': { type: 'string', value: 'N', describe: 'Days stored Workers Logs events are kept (default 7)' },
    'log-retention-mb': { type: 'string', value: 'N', describe: 'Stored Workers Logs per account in MB; oldest pruned first (default 100)' },
    'log-sample-rate': { type: 'string', value: 'R', describe: 'Share (0..1) of invocations of scripts without Workers Logs stored anyway (default 0)' },
    'usage-metering': { type: 'string', value: 'BOOL', describe: 'Meter usage per script and minute into the store (default true)' },
    'usage-flush-seconds': { type: 'string', value: 'N', describe: 'How often usage is written; a kill -9 loses at most this much (default 5)' },
    'usage-retention-days': { type: 'string', value: 'N', describe: 'Days usage records are kept (default 93)' },
    'versions-kept': { type: 'string', value: 'N', describe: 'Versions kept per script; older undeployed ones are deleted (default 100, 0: all)' },
  },
  example: 'start --api-port 8080 --edge-port 8787',
  async run({ values }) {
    const settings: ConfigInput = {
      ...(values['no-sandbox'] ? { sandbox: false } : {}),
      ...(values.dev ? { dev: true } : {}),
    }
    // Every string flag is the setting of the same name; the config schema checks the values.
    for (const [flag, option] of Object.entries(start.options ?? {})) {
      if (option.type === 'string') Object.assign(settings, { [settingOfFlag(flag)]: str(values[flag]) })
    }
    const config = configFromFlags(settings)
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
    // Loaded here, not at the top: every other command (and --help, --version) starts in a tenth
    // of the time without the platform's modules.
    const main = await import('../../main.js')
    try {
      platform = await main.startPlatform(config)
    } catch (err) {
      // startPlatform undid what it had started; exit now, whatever handle may linger.
      const message = err instanceof main.StartupError ? err.message : `could not start: ${(err as Error).message}`
      process.stderr.write(`workerhive start: ${message}\n`)
      process.exit(1)
    }
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
        ...(platform.https
          ? [
              `  HTTPS:   https://${config.host}:${platform.https.port} (SNI; *.localhost names are signed by the development CA)`,
              `  Dev CA:  ${platform.https.devCaPath} (curl --cacert it, or trust it in your browser)`,
            ]
          : []),
        `  Console: ${platform.apiUrl.replace(/\/client\/v4$/, '')}/console (sign in with the API token below)`,
        `  R2 S3:   ${platform.apiUrl.replace(/\/client\/v4$/, '')}/r2/s3/${c.accountId} (path-style; access key id: an API token's id, secret: the SHA-256 hex of its value)`,
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
