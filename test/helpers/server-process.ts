import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'

/** A `workerhive start` running as a process of its own, as an operator runs it. */
export interface ServerProcess {
  child: ChildProcess
  apiUrl: string
  edgePort: number
  token: string
  accountId: string
  exited: Promise<void>
}

/**
 * Runs `workerhive start` on `dataDir` (ports picked by the system, silent logs, `args` added) as
 * its own process group, so the edge's workerd processes live in it too, and answers once it has
 * printed that it is serving.
 */
export function startServerProcess(dataDir: string, options: { args?: string[]; env?: Record<string, string> } = {}): Promise<ServerProcess> {
  const args = ['bin/workerhive.js', 'start', '--data-dir', dataDir, '--api-port', '0', '--edge-port', '0', '--log-level', 'silent', ...(options.args ?? [])]
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...options.env } })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return new Promise((resolve, reject) => {
    const found: { apiUrl?: string; edgePort?: number; accountId?: string } = {}
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const api = /^\s*API:\s+(\S+)/.exec(line)
      if (api) found.apiUrl = api[1]!
      const edge = /^\s*Edge:\s+http:\/\/[^:]+:(\d+)/.exec(line)
      if (edge) found.edgePort = Number(edge[1])
      const account = /^export CLOUDFLARE_ACCOUNT_ID=(\S+)/.exec(line)
      if (account) found.accountId = account[1]!
      // `start` prints the token after everything else it reads here.
      const token = /^export CLOUDFLARE_API_TOKEN=(\S+)/.exec(line)
      if (token && found.apiUrl && found.edgePort !== undefined && found.accountId) {
        resolve({ child, apiUrl: found.apiUrl, edgePort: found.edgePort, token: token[1]!, accountId: found.accountId, exited })
      }
    })
    void exited.then(() => reject(new Error('workerhive start exited before it was serving')))
  })
}

/** SIGKILL to the whole group: no shutdown hook runs, exactly like a crash or kill -9. */
export async function killServerProcess(server: ServerProcess): Promise<void> {
  try {
    process.kill(-server.child.pid!, 'SIGKILL')
  } catch {
    // The group is already gone.
  }
  await server.exited
}
