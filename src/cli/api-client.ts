import { existsSync, readFileSync } from 'node:fs'
import { credentialsFile } from '../bootstrap.js'
import { fromEnv } from '../config/config.js'
import { rememberedEndpoints } from '../data-dir.js'
import { configFromFlags } from './config-flags.js'
import { requireDataDir } from './data-dir.js'
import { CliError } from './errors.js'

// CLI commands other than start/account/token are API clients: they can do nothing the API cannot.
// They find the API the way wrangler does (CLOUDFLARE_API_BASE_URL, CLOUDFLARE_API_TOKEN,
// CLOUDFLARE_ACCOUNT_ID); these are the client's settings, not Workerhive's, so they are read here
// rather than in config/. Without them they use the local platform: its credentials.json and the
// API address its last start remembered (else the configured one).

export interface Target {
  base: string
  token: string
  accountId: string
}

export interface CfEnvelope<T> {
  success: boolean
  errors?: Array<{ code: number; message: string }>
  result: T
}

export function target(dataDirFlag: string | undefined, env: NodeJS.ProcessEnv = process.env): Target {
  const config = configFromFlags({ dataDir: dataDirFlag }, env)
  const envToken = env.CLOUDFLARE_API_TOKEN
  const envAccount = env.CLOUDFLARE_ACCOUNT_ID
  // A data dir named on purpose must exist; the default one only when the credentials come from it.
  const named = dataDirFlag !== undefined || fromEnv(env).dataDir !== undefined
  if (named || !envToken || !envAccount) requireDataDir(config.dataDir)
  const file = credentialsFile(config.dataDir)
  const saved = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { accountId?: string; apiToken?: string })
    : {}
  const token = envToken || saved.apiToken
  const accountId = envAccount || saved.accountId
  if (!token || !accountId)
    throw new CliError(
      'no credentials: set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID (as `workerhive start` prints them), ' +
        `or run this where ${file} exists`,
    )
  const base = (env.CLOUDFLARE_API_BASE_URL || rememberedEndpoints(config.dataDir)?.api || config.publicApiUrl).replace(/\/+$/, '')
  return { base, token, accountId }
}

export async function call<T>(t: Target, method: string, path: string, body?: unknown): Promise<T> {
  let res: Response
  try {
    res = await fetch(`${t.base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${t.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  } catch (e) {
    throw new CliError(
      `cannot reach the API at ${t.base} (${(e as Error).message}); is \`workerhive start\` running? ` +
        'CLOUDFLARE_API_BASE_URL chooses another address',
    )
  }
  const text = await res.text()
  let envelope: CfEnvelope<T>
  try {
    envelope = JSON.parse(text) as CfEnvelope<T>
  } catch {
    throw new CliError(`the API at ${t.base} answered ${res.status} with something that is not JSON`)
  }
  if (!envelope.success) {
    const errors = (envelope.errors ?? []).map((e) => `${e.message} [code: ${e.code}]`).join('; ')
    throw new CliError(errors || `the API answered ${res.status}`)
  }
  return envelope.result
}

