import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'

export const BIN = resolve('bin/workerhive.js')

export interface CliResult {
  /** Exit status; null when the CLI was killed (it hung past the timeout). */
  code: number | null
  stdout: string
  stderr: string
}

export interface CliOptions {
  /** The whole environment (PATH is added): nothing leaks in from the test's own. */
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** Run bin/workerhive.js through its `#!/usr/bin/env node` line, i.e. with the `node` PATH finds. */
  viaShebang?: boolean
}

/** Runs the CLI as a user would and resolves however it ends. Asynchronous: the API it talks to may run in this process. */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const env = { PATH: process.env.PATH, ...opts.env }
  const [file, argv] = opts.viaShebang ? [BIN, args] : [process.execPath, [BIN, ...args]]
  return new Promise((done) => {
    // A hung CLI fails its test instead of holding the whole run.
    const options = { env, cwd: opts.cwd ?? process.cwd(), timeout: 60_000, killSignal: 'SIGKILL' as const }
    execFile(file, argv, options, (err, stdout, stderr) => {
      const code = err ? ((err as { killed?: boolean }).killed ? null : Number(err.code ?? 1)) : 0
      done({ code, stdout, stderr })
    })
  })
}

export interface RunningCli {
  child: ChildProcess
  /** What it printed until it said it was running. */
  lines: string[]
  /** Resolves with `code/signal` when it exits. */
  exited: Promise<string>
}

/** `workerhive start` as its own process on free ports; resolves once it printed its credentials. */
export function startCli(dataDir: string, extra: string[] = []): Promise<RunningCli> {
  const args = [BIN, 'start', '--data-dir', dataDir, '--api-port', '0', '--edge-port', '0', '--log-level', 'error', ...extra]
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s))
  const exited = new Promise<string>((done) => child.once('exit', (code, signal) => done(`${code}/${signal}`)))
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line)
      if (line.startsWith('export CLOUDFLARE_API_KEY=')) resolve({ child, lines, exited })
    })
    void exited.then((how) => reject(new Error(`workerhive start exited (${how}):\n${lines.join('\n')}\n${stderr}`)))
  })
}
