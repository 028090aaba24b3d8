import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startRawHello } from '../lib/baselines.js'
import { runLoad, type LoadResult } from '../lib/load.js'
import { startBenchPlatform, type BenchPlatform } from '../lib/platform.js'
import { atLeast, num, showRatio, showSpread, type Figure } from '../lib/report.js'
import { pairedRatios, spread } from '../lib/stats.js'
import { capnpString, startStaticWorkerd, type StaticWorkerd } from '../lib/workerd.js'
import { helloWorker } from '../lib/workers.js'
import { DevCa } from '../../src/runtime/https/dev-ca.js'
import type { Scenario } from './scenario.js'

const CONCURRENCY = [1, 10, 50] as const
type Concurrency = (typeof CONCURRENCY)[number]
type TargetId = 'rawHttp' | 'rawTls' | 'fullHttp' | 'fullHttps'

/** Target of issue 16: the full path over HTTPS at ≥ 0.8× the full path over plain HTTP. */
const TARGET_RATIO = 0.8

interface Target {
  id: TargetId
  origin: string
  host?: string
  servername?: string
}

/**
 * HTTPS at the edge: the full path (edge → dispatch Worker → user Worker) over HTTPS (Node
 * terminates TLS by SNI and pipes HTTP/1.1 to workerd's tls socket) next to the same path over plain
 * HTTP, and raw workerd serving hello world over HTTP and over its own TLS (one certificate, no SNI
 * choice). Keep-alive connections, as browsers use: the handshake is paid once per connection.
 */
export const httpsScenario: Scenario = {
  id: 'https',
  title: '8. HTTPS at the edge',
  async run(ctx) {
    const rounds = ctx.quick ? 2 : 3
    const durationMs = ctx.quick ? 1000 : 4000
    const stops: Array<() => Promise<void>> = []
    try {
      const raw = await startRawHello()
      stops.push(() => raw.stop())
      const caDir = mkdtempSync(join(tmpdir(), 'workerhive-bench-ca-'))
      stops.push(async () => rmSync(caDir, { recursive: true, force: true }))
      const rawTls = await startRawHelloTls(await (await DevCa.open(caDir)).leaf('localhost'))
      stops.push(() => rawTls.stop())
      const full: BenchPlatform = await startBenchPlatform({ edgeProcesses: 1, httpsPort: 0 })
      stops.push(() => full.stop())
      await full.uploadUserWorker('hello', helloWorker('hello'))
      const httpsPort = full.platform.https!.port
      const targets: Target[] = [
        { id: 'rawHttp', origin: raw.origin },
        { id: 'rawTls', origin: `https://localhost:${rawTls.port}` },
        { id: 'fullHttp', origin: full.edgeOrigin, host: full.dispatchHost },
        // The dispatch hostname is under *.localhost: the data dir's development CA signs it.
        { id: 'fullHttps', origin: `https://127.0.0.1:${httpsPort}`, host: full.dispatchHost, servername: full.dispatchHost },
      ]
      for (const t of targets) await load(t, 10, 500)
      const results: Record<TargetId, Record<Concurrency, LoadResult[]>> = {
        rawHttp: perC(),
        rawTls: perC(),
        fullHttp: perC(),
        fullHttps: perC(),
      }
      for (let round = 0; round < rounds; round++) {
        for (const c of CONCURRENCY) {
          const order = targets.map((_, i) => targets[(i + round) % targets.length]!)
          for (const t of order) {
            const r = await load(t, c, durationMs)
            if (r.ok === 0) throw new Error(`${t.id} answered nothing (${r.non2xx} non-2xx, ${r.errors} errors)`)
            results[t.id][c].push(r)
            ctx.log(`https round ${round + 1}/${rounds} c=${c} ${t.id}: ${num(r.rps)} req/s p50 ${num(r.p50)} ms`)
          }
        }
      }
      return {
        figures: CONCURRENCY.flatMap((c) => figuresAt(results, c)),
        notes: [
          `${rounds} interleaved rounds of ${durationMs / 1000} s per target and concurrency, keep-alive connections; ` +
            'the platform runs in the bench process, so Node terminates TLS on the same event loop that runs autocannon (and its client-side TLS).',
        ],
      }
    } finally {
      for (const stop of stops.reverse()) await stop()
    }
  },
}

const perC = (): Record<Concurrency, LoadResult[]> => ({ 1: [], 10: [], 50: [] })

function load(t: Target, connections: number, durationMs: number): Promise<LoadResult> {
  return runLoad(
    { origin: t.origin, connections, paths: ['/hello'], ...(t.host ? { host: t.host } : {}), ...(t.servername ? { servername: t.servername } : {}) },
    { durationMs },
  )
}

/** Raw workerd serving hello world over its own TLS socket (one certificate). */
function startRawHelloTls(pair: { certificatePem: string; keyPem: string }): Promise<StaticWorkerd> {
  return startStaticWorkerd({
    config: `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "hello", worker = .hello)],
  sockets = [(name = "http", address = "127.0.0.1:0", https = (options = (), tlsOptions = (keypair = (privateKey = ${capnpString(pair.keyPem)}, certificateChain = ${capnpString(pair.certificatePem)}))), service = "hello")],
);
const hello :Workerd.Worker = (
  modules = [(name = "index.js", esModule = ${capnpString(helloWorker('hello'))})],
  compatibilityDate = "2026-01-01",
);
`,
  })
}

function figuresAt(results: Record<TargetId, Record<Concurrency, LoadResult[]>>, c: Concurrency): Figure[] {
  const series = (id: TargetId) => results[id][c].map((r) => r.rps)
  const rps = (id: TargetId) => showSpread(spread(series(id)), 'req/s')
  const p50 = (id: TargetId) => showSpread(spread(results[id][c].map((r) => r.p50)), 'ms')
  const vsHttp = spread(pairedRatios(series('fullHttps'), series('fullHttp')))
  const rawRatio = spread(pairedRatios(series('rawTls'), series('rawHttp')))
  return [
    {
      figure: `full path over HTTPS req/s, ${c} conn`,
      measured: rps('fullHttps'),
      baseline: `full path over HTTP ${rps('fullHttp')}`,
      ratio: showRatio(vsHttp),
      target: `≥ ${TARGET_RATIO} of HTTP`,
      met: atLeast(vsHttp.median, TARGET_RATIO),
      data: { fullHttps: series('fullHttps'), fullHttp: series('fullHttp'), ratios: vsHttp.values },
    },
    {
      figure: `raw workerd over its own TLS req/s, ${c} conn`,
      measured: rps('rawTls'),
      baseline: `raw workerd over HTTP ${rps('rawHttp')}`,
      ratio: showRatio(rawRatio),
      target: '',
      met: undefined,
    },
    {
      figure: `p50 over HTTPS / HTTP, ${c} conn`,
      measured: `full ${p50('fullHttps')} / ${p50('fullHttp')}`,
      baseline: `raw ${p50('rawTls')} / ${p50('rawHttp')}`,
      ratio: '',
      target: '',
      met: undefined,
    },
  ]
}
