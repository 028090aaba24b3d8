import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../config/config.js'

// CLI commands other than start/account/token are API clients: they can do nothing the API cannot.
// They find the API the way wrangler does (CLOUDFLARE_API_BASE_URL, CLOUDFLARE_API_TOKEN,
// CLOUDFLARE_ACCOUNT_ID); these are the client's settings, not Workerhive's, so they are read here
// rather than in config/. Without them they use the local platform: its credentials.json and its
// configured API address.

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

export class CliError extends Error {}

export const dataDirOption = { 'data-dir': { type: 'string' } } as const

export function target(dataDir: string | undefined, env: NodeJS.ProcessEnv = process.env): Target {
  const config = loadConfig({ dataDir })
  const file = join(config.dataDir, 'credentials.json')
  const saved = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { accountId?: string; apiToken?: string })
    : {}
  const token = env.CLOUDFLARE_API_TOKEN || saved.apiToken
  const accountId = env.CLOUDFLARE_ACCOUNT_ID || saved.accountId
  if (!token || !accountId)
    throw new CliError(
      'no credentials: set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID (as `workerhive start` prints them), ' +
        `or run this where ${file} exists`,
    )
  const base = (env.CLOUDFLARE_API_BASE_URL || config.publicApiUrl).replace(/\/+$/, '')
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

/** Runs a command body, turning CliErrors into "workerhive <noun> <verb>: <what happened>" and exit 1. */
export async function report(name: string, body: () => Promise<void>): Promise<number> {
  try {
    await body()
    return 0
  } catch (e) {
    if (!(e instanceof CliError)) throw e
    process.stderr.write(`workerhive ${name}: ${e.message}\n`)
    return 1
  }
}

export const usage = (name: string, example: string): number => {
  process.stderr.write(`workerhive ${name}: missing arguments, e.g. \`workerhive ${example}\`\n`)
  return 2
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

