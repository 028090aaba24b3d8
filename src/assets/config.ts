import { z } from 'zod'
import { parseHeaders, type HeaderRule } from './headers.js'
import { parseRedirects, type RedirectRule } from './redirects.js'

export type HtmlHandling = 'auto-trailing-slash' | 'force-trailing-slash' | 'drop-trailing-slash' | 'none'
export type NotFoundHandling = 'none' | '404-page' | 'single-page-application'

/** Which requests reach the Worker before assets: all, none, or those matching path rules. */
export type RunWorkerFirst = boolean | { worker: string[]; asset: string[] }

/** How a version's assets are served: the upload's `assets.config`, validated and parsed. */
export interface AssetConfig {
  htmlHandling: HtmlHandling
  notFoundHandling: NotFoundHandling
  runWorkerFirst: RunWorkerFirst
  headers: HeaderRule[]
  redirects: RedirectRule[]
}

const MAX_ROUTING_RULES = 100
const MAX_RULE_LENGTH = 100

/** `metadata.assets.config` as clients send it (wrangler sends only the keys that are set). */
export const AssetConfigSchema = z.looseObject({
  html_handling: z.enum(['auto-trailing-slash', 'force-trailing-slash', 'drop-trailing-slash', 'none']).optional(),
  not_found_handling: z.enum(['none', '404-page', 'single-page-application']).optional(),
  run_worker_first: z
    .union([
      z.boolean(),
      z
        .array(
          z
            .string()
            .max(MAX_RULE_LENGTH, `rules are at most ${MAX_RULE_LENGTH} characters`)
            .regex(/^!?\//, "each rule starts with '/' (the Worker first) or '!/' (assets first)"),
        )
        .min(1)
        .max(MAX_ROUTING_RULES, `at most ${MAX_ROUTING_RULES} rules`),
    ])
    .optional(),
  _headers: z.string().optional(),
  _redirects: z.string().optional(),
  serve_directly: z.boolean().optional(),
})

export type AssetConfigInput = z.output<typeof AssetConfigSchema>

export function assetConfigOf(input: AssetConfigInput): AssetConfig | { problem: string } {
  let runWorkerFirst: RunWorkerFirst = input.run_worker_first === true
  if (Array.isArray(input.run_worker_first)) {
    const rules = input.run_worker_first
    if (new Set(rules).size !== rules.length) return { problem: 'run_worker_first rules must be unique' }
    const worker = rules.filter((r) => !r.startsWith('!'))
    if (worker.length === 0) return { problem: "run_worker_first needs at least one rule that is not negated ('!/…')" }
    runWorkerFirst = { worker, asset: rules.filter((r) => r.startsWith('!')).map((r) => r.slice(1)) }
  }
  return {
    htmlHandling: input.html_handling ?? 'auto-trailing-slash',
    notFoundHandling: input.not_found_handling ?? 'none',
    runWorkerFirst,
    headers: input._headers ? parseHeaders(input._headers) : [],
    redirects: input._redirects ? parseRedirects(input._redirects, input.html_handling === 'none') : [],
  }
}
