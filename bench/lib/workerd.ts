import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'

const require = createRequire(import.meta.url)
export const workerdBinary = (): string => require.resolve('workerd/bin/workerd')

/** A workerd process serving a static config: the baselines Workerhive is compared with. */
export interface StaticWorkerd {
  readonly pid: number
  readonly port: number
  readonly origin: string
  stop(): Promise<void>
}

export interface StaticConfig {
  /** capnp text of the whole config; its `http` socket must have address "127.0.0.1:0". */
  config: string
  /** Extra files written next to the config (for `embed`). */
  files?: Record<string, string>
}

// Every workerd this module starts, so an interrupted bench still kills them all.
const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/**
 * Starts `workerd serve` on a static config and waits for its `http` socket, whose port workerd
 * reports on the control fd (as src/runtime/supervisor.ts does); `--experimental` is needed for
 * the Worker Loader.
 */
export async function startStaticWorkerd(input: StaticConfig): Promise<StaticWorkerd> {
  const dir = mkdtempSync(join(tmpdir(), 'workerhive-bench-workerd-'))
  writeFileSync(join(dir, 'config.capnp'), input.config)
  for (const [name, text] of Object.entries(input.files ?? {})) writeFileSync(join(dir, name), text)
  const child = spawn(workerdBinary(), ['serve', join(dir, 'config.capnp'), '--experimental', '--control-fd=3'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000)
  })
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdio[3] as Readable }).on('line', (line) => {
      const event = parseEvent(line)
      if (event?.event === 'listen' && event.socket === 'http' && event.port) resolve(event.port)
    })
    child.once('exit', (code, signal) =>
      reject(new Error(`workerd exited before listening (${code ?? signal}): ${stderr}`)),
    )
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    pid: child.pid!,
    port,
    origin: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGKILL')
      await exited
      running.delete(child)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

function parseEvent(line: string): { event?: string; socket?: string; port?: number } | undefined {
  try {
    return JSON.parse(line) as { event?: string; socket?: string; port?: number }
  } catch {
    return undefined
  }
}

/** A capnp string literal (JSON's escapes are a subset capnp accepts). */
export const capnpString = (s: string): string => JSON.stringify(s)
