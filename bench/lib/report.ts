import type { Spread } from './stats.js'

/** One line of a scenario's table. Strings are what the Markdown shows; `data` is what the JSON keeps. */
export interface Figure {
  figure: string
  measured: string
  baseline: string
  ratio: string
  target: string
  /** undefined: informational, no target. A figure that could not be measured counts as missed. */
  met: boolean | undefined
  data?: Record<string, unknown>
}

/** An informational line: a measured figure with no baseline, ratio or target. */
export const infoFigure = (figure: string, measured: string, data?: Record<string, unknown>): Figure => ({
  figure,
  measured,
  baseline: '',
  ratio: '',
  target: '',
  met: undefined,
  ...(data ? { data } : {}),
})

export interface ScenarioReport {
  id: string
  title: string
  figures: Figure[]
  /** What the numbers mean, how they were taken, and anything that did not go as planned. */
  notes: string[]
  /** Seconds the scenario took. */
  seconds?: number
  /** 1-minute load average when it started and ended: other work on the machine skews absolute numbers. */
  loadAverage?: { before: number; after: number }
}

export interface RunInfo {
  date: string
  mode: 'quick' | 'full'
  machine: { cpu: string; cores: number; memoryGiB: number; os: string }
  versions: { node: string; workerd: string; workerhive: string }
  seconds: number
}

/** `1,234` / `0.234`: enough digits to compare, no more. */
export function num(value: number, digits?: number): string {
  if (!Number.isFinite(value)) return 'n/a'
  const d = digits ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : Math.abs(value) >= 1 ? 2 : 3)
  return value.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d })
}

/** `3,744 req/s (3,484–3,824)`: the median of the rounds and their range. */
export function showSpread(s: Spread, unit: string, digits?: number): string {
  const value = `${num(s.median, digits)}${unit ? ` ${unit}` : ''}`
  if (s.values.length < 2) return value
  return `${value} (${num(s.min, digits)}–${num(s.max, digits)})`
}

export const showRatio = (s: Spread): string => showSpread(s, '×', 2)

export const percent = (fraction: number, digits = 2): string =>
  Number.isFinite(fraction) ? `${(fraction * 100).toFixed(digits)} %` : 'n/a'

/** Target checks: a value that is not a finite number never meets a target. */
export const atMost = (value: number, limit: number): boolean => Number.isFinite(value) && value <= limit
export const atLeast = (value: number, limit: number): boolean => Number.isFinite(value) && value >= limit

const verdict = (f: Figure): string => (f.met === undefined ? '' : f.met ? 'met' : '**missed**')

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

export function scenarioMarkdown(s: ScenarioReport): string {
  const lines = [
    `## ${s.title}`,
    '',
    '| figure | measured | baseline | ratio | target | met |',
    '|---|---|---|---|---|---|',
    ...s.figures.map((f) =>
      `| ${[f.figure, f.measured, f.baseline, f.ratio, f.target, verdict(f)].map(cell).join(' | ')} |`,
    ),
  ]
  if (s.notes.length) lines.push('', ...s.notes.map((n) => `- ${n.replace(/\s*\n\s*/g, ' ')}`))
  const load = s.loadAverage ? `; load average ${num(s.loadAverage.before, 1)} → ${num(s.loadAverage.after, 1)}` : ''
  if (s.seconds !== undefined) lines.push('', `_${num(s.seconds, 0)} s${load}_`)
  return lines.join('\n')
}

export function reportMarkdown(info: RunInfo, scenarios: ScenarioReport[]): string {
  const all = scenarios.flatMap((s) => s.figures).filter((f) => f.met !== undefined)
  const met = all.filter((f) => f.met).length
  const { machine: m, versions: v } = info
  return [
    `# Workerhive bench (${info.mode})`,
    '',
    `${info.date} · ${m.cpu}, ${m.cores} cores, ${num(m.memoryGiB, 1)} GiB, ${m.os}`,
    `· node ${v.node} · ${v.workerd} · workerhive ${v.workerhive} · ${num(info.seconds, 0)} s`,
    '',
    'Medians of interleaved rounds with (min–max) over rounds; ratios are medians of per-round ratios. ' +
      'Everything runs on 127.0.0.1, the load generator on the same cores as the servers.',
    '',
    `Targets met: ${met} of ${all.length}.`,
    '',
    ...scenarios.flatMap((s) => [scenarioMarkdown(s), '']),
  ].join('\n')
}
