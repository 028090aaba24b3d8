import { BUNDLE_BYTES, startLoaderBaseline } from '../lib/baselines.js'
import { HttpProbe, type ProbeResponse } from '../lib/http-probe.js'
import { startBenchPlatform, type BenchPlatform } from '../lib/platform.js'
import { atMost, num, showRatio, type Figure } from '../lib/report.js'
import { latencySummary, median, percentile, spread } from '../lib/stats.js'
import { helloWorker, paddedBundle } from '../lib/workers.js'
import type { Scenario } from './scenario.js'

/**
 * First request to never-seen user Workers whose code was uploaded through the API, next to the
 * Worker Loader loading the same source inline in a static workerd. One keep-alive connection per
 * side, one request at a time, the two sides alternating request by request.
 */
export const coldStartScenario: Scenario = {
  id: 'cold-start',
  title: '2. Cold start',
  async run(ctx) {
    const count = ctx.quick ? 200 : 1000
    const rounds = ctx.quick ? 2 : 4
    const bundles = ctx.quick ? 3 : 5
    const loader = await startLoaderBaseline()
    const platform = await startBenchPlatform().catch(async (err: unknown) => {
      await loader.stop()
      throw err
    })
    const edge = new HttpProbe(platform.edgeOrigin, platform.dispatchHost)
    const inline = new HttpProbe(loader.origin)
    try {
      const uploadMs = { tiny: [] as number[], bundle: [] as number[] }
      for (let i = 0; i < count; i++) {
        uploadMs.tiny.push((await platform.uploadUserWorker(`cold-${i}`, helloWorker(`cold-${i}`))).ms)
      }
      for (let i = 0; i < bundles; i++) {
        const name = `bundle-${i}`
        uploadMs.bundle.push((await platform.uploadUserWorker(name, paddedBundle(BUNDLE_BYTES, name))).ms)
      }
      ctx.log(`cold start: ${count} + ${bundles} Workers uploaded (${platform.uploadPaths.namespaceScripts})`)
      // Warm both front doors first: the dispatch Worker and the loader host are not what is measured.
      await edge.get('/warm-up-missing')
      await inline.get('/warm-up')

      const tiny = { platform: [] as number[], loader: [] as number[] }
      const perRound = { platform: [] as number[][], loader: [] as number[][] }
      const failures: string[] = []
      const record = (side: 'platform' | 'loader', res: ProbeResponse, expected: string, round: number) => {
        if (res.status !== 200 || res.text !== expected) {
          failures.push(`${side}: ${res.status} ${res.text.slice(0, 80)}`)
        }
        tiny[side].push(res.ms)
        ;(perRound[side][round] ??= []).push(res.ms)
      }
      for (let i = 0; i < count; i++) {
        const name = `cold-${i}`
        const round = Math.floor((i * rounds) / count)
        const expected = `Hello world from ${name}`
        for (const side of sidesInTurn(i)) {
          record(side, await (side === 'platform' ? edge : inline).get(`/${name}`), expected, round)
        }
      }
      const warm: number[] = []
      for (let i = 0; i < Math.min(100, count); i++) {
        const res = await edge.get(`/cold-${i}`)
        if (res.status !== 200) failures.push(`platform warm: ${res.status} ${res.text.slice(0, 80)}`)
        warm.push(res.ms)
      }

      const big = { platform: [] as number[], loader: [] as number[] }
      for (let i = 0; i < bundles; i++) {
        const name = `bundle-${i}`
        for (const side of sidesInTurn(i)) {
          const res = side === 'platform' ? await edge.get(`/${name}`) : await inline.get(`/${name}?bundle`)
          if (res.status !== 200 || !res.text.startsWith('bundle ')) {
            failures.push(`${side} 1 MiB: ${res.status} ${res.text.slice(0, 80)}`)
          }
          big[side].push(res.ms)
        }
      }
      ctx.log(`cold start: done (${failures.length} failures)`)
      return {
        figures: figures(tiny, perRound, big, warm, uploadMs),
        notes: [
          `${count} tiny Workers (${rounds} rounds of ${count / rounds} for the min–max), then ${bundles} bundles ` +
            `of ${BUNDLE_BYTES / 1024} KiB of module-internal functions; each request to a name never requested ` +
            'before, over one keep-alive connection, timed by the client, so it includes the warm path (its own row).',
          `Platform: code uploaded via ${uploadPath(platform)}, fetched by the host worker from the control plane on ` +
            'first request (edge → dispatch Worker → get() → Worker Loader). Baseline: a static workerd whose Worker ' +
            'calls `env.LOADER.get(name, () => inline code)` with the same source.',
          failures.length
            ? `Failures (${failures.length}): ${failures.slice(0, 5).join('; ')}`
            : 'Every request answered 200 with the expected body.',
        ],
      }
    } finally {
      await edge.close()
      await inline.close()
      await platform.stop()
      await loader.stop()
    }
  },
}

/** Alternates which side goes first, so neither always runs right after the other's compile. */
const sidesInTurn = (i: number) => (i % 2 === 0 ? (['platform', 'loader'] as const) : (['loader', 'platform'] as const))

const uploadPath = (p: BenchPlatform): string =>
  p.uploadPaths.namespaceScripts === 'api'
    ? 'the v4 upload API (`PUT …/dispatch/namespaces/:ns/scripts/:name`, multipart)'
    : 'store.publish (the upload route was not there)'

function figures(
  tiny: { platform: number[]; loader: number[] },
  perRound: { platform: number[][]; loader: number[][] },
  big: { platform: number[]; loader: number[] },
  warm: number[],
  uploadMs: { tiny: number[]; bundle: number[] },
): Figure[] {
  const p = latencySummary(tiny.platform)
  const l = latencySummary(tiny.loader)
  const roundP50 = (side: 'platform' | 'loader') => spread(perRound[side].map((r) => percentile(r, 50)))
  const roundP99 = (side: 'platform' | 'loader') => spread(perRound[side].map((r) => percentile(r, 99)))
  const ratios = spread(perRound.platform.map((r, i) => median(r) / median(perRound.loader[i]!)))
  const withRange = (all: number, rounds: ReturnType<typeof spread>, unit: string) =>
    `${num(all)} ${unit} (rounds ${num(rounds.min)}–${num(rounds.max)})`
  const p50p99 = (ms: number[]) => `${num(percentile(ms, 50))} / ${num(percentile(ms, 99))} ms`
  const b = latencySummary(big.platform)
  const bl = latencySummary(big.loader)
  return [
    {
      figure: 'cold start p50, tiny Worker',
      measured: withRange(p.p50, roundP50('platform'), 'ms'),
      baseline: `loader inline ${withRange(l.p50, roundP50('loader'), 'ms')}`,
      ratio: '',
      target: '≤ 10 ms',
      met: atMost(p.p50, 10),
      data: { platform: tiny.platform, loader: tiny.loader },
    },
    {
      figure: 'cold start p50 vs the loader’s own',
      measured: `${num(p.p50)} ms`,
      baseline: `${num(l.p50)} ms`,
      // The ratio of the pooled p50s, with the range of the per-round ratios.
      ratio: showRatio({ ...ratios, median: p.p50 / l.p50 }),
      target: '≤ 1.2×',
      met: atMost(p.p50 / l.p50, 1.2),
      data: { roundRatios: ratios.values },
    },
    {
      figure: 'cold start p99, tiny Worker',
      measured: withRange(p.p99, roundP99('platform'), 'ms'),
      baseline: `loader inline ${withRange(l.p99, roundP99('loader'), 'ms')}`,
      ratio: showRatio(spread([p.p99 / l.p99])),
      target: '≤ 25 ms',
      met: atMost(p.p99, 25),
    },
    {
      figure: `cold start p50, ${BUNDLE_BYTES / 1024 / 1024} MiB bundle (${big.platform.length} Workers)`,
      measured: `${num(b.p50)} ms (max ${num(b.max)})`,
      baseline: `loader inline ${num(bl.p50)} ms (max ${num(bl.max)})`,
      ratio: showRatio(spread([b.p50 / bl.p50])),
      target: '≤ 100 ms',
      met: atMost(b.p50, 100),
      data: { platform: big.platform, loader: big.loader },
    },
    {
      figure: 'warm request p50 / p99 (same Workers, 2nd request)',
      measured: `${num(percentile(warm, 50))} / ${num(percentile(warm, 99))} ms`,
      baseline: '',
      ratio: '',
      target: '',
      met: undefined,
    },
    {
      figure: 'upload call p50 / p99: tiny · 1 MiB bundle',
      measured: `${p50p99(uploadMs.tiny)} · ${p50p99(uploadMs.bundle)}`,
      baseline: '',
      ratio: '',
      target: '',
      met: undefined,
    },
  ]
}
