import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WebSocket } from 'undici'

/** The system's Chromium, if installed (Debian: `apt-get install chromium`). */
export function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    if (spawnSync('which', [name]).status === 0) return name
  }
  return undefined
}

export interface Browser {
  /** Loads a URL and waits for the page's load event. */
  goto(url: string): Promise<void>
  /** Evaluates an expression in the page (awaiting a promise) and returns its JSON value. */
  evaluate<T>(expression: string): Promise<T>
  close(): Promise<void>
}

/** Headless Chromium driven over the DevTools protocol: just what the console's test needs. */
export async function launchBrowser(binary: string): Promise<Browser> {
  const port = await freePort()
  const profile = mkdtempSync(join(tmpdir(), 'workerhive-chromium-'))
  const child: ChildProcess = spawn(
    binary,
    ['--headless=new', '--no-sandbox', '--disable-gpu', `--remote-debugging-port=${port}`, `--user-data-dir=${profile}`, 'about:blank'],
    // Its own process group: Chromium's helpers (zygote, renderers) go down with it.
    { stdio: 'ignore', detached: true },
  )
  const page = await pageTarget(port)
  const ws = new WebSocket(page)
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true })
    ws.addEventListener('error', reject, { once: true })
  })
  let nextId = 0
  const pending = new Map<number, (message: { result?: any; error?: { message: string } }) => void>()
  const waiters: Array<{ method: string; done: () => void }> = []
  ws.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data))
    if (message.id !== undefined) pending.get(message.id)?.(message)
    for (const w of waiters.filter((x) => x.method === message.method)) {
      waiters.splice(waiters.indexOf(w), 1)
      w.done()
    }
  })
  const send = (method: string, params: Record<string, unknown> = {}): Promise<any> =>
    new Promise((resolve, reject) => {
      const id = ++nextId
      pending.set(id, (m) => {
        pending.delete(id)
        if (m.error) reject(new Error(`${method}: ${m.error.message}`))
        else resolve(m.result)
      })
      ws.send(JSON.stringify({ id, method, params }))
    })
  await send('Page.enable')
  return {
    async goto(url) {
      const loaded = new Promise<void>((done) => waiters.push({ method: 'Page.loadEventFired', done }))
      await send('Page.navigate', { url })
      await loaded
    },
    async evaluate(expression) {
      const r = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true })
      if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`)
      return r.result.value
    },
    async close() {
      ws.close()
      const exited = new Promise((done) => child.once('exit', done))
      process.kill(-child.pid!, 'SIGKILL')
      await exited
      rmSync(profile, { recursive: true, force: true, maxRetries: 10 })
    },
  }
}

async function pageTarget(port: number): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ type: string; webSocketDebuggerUrl: string }>
      const page = targets.find((t) => t.type === 'page')
      if (page) return page.webSocketDebuggerUrl
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('Chromium did not open its DevTools port')
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
