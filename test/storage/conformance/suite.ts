import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { ManualClock } from '../../helpers/manual-clock.js'
import { accountCases } from './accounts.js'
import { assetCases } from './assets.js'
import { containmentCases } from './containment.js'
import { START } from './fixtures.js'
import { kvCases } from './kv.js'
import { d1Cases } from './d1.js'
import { placementCases } from './placement.js'
import { namespaceCases } from './namespaces.js'
import { r2Cases } from './r2.js'
import { scheduleCases } from './schedules.js'
import { usageCases } from './usage.js'
import { durableObjectCases } from './durable-objects.js'
import { queueCases } from './queues.js'
import { scriptListingCases } from './script-listing.js'
import { scriptCases } from './scripts.js'
import { zoneCases } from './zones.js'
import { tlsCases } from './tls.js'
import type { Store } from '../../../src/storage/store.js'

export interface StoreConformanceOptions {
  /** Shown in test names: `Store conformance: <name>`. */
  name: string
  /** A fresh, empty store whose time comes from `clock`. The suite opens one per test and closes it after. */
  open(clock: ManualClock): Promise<Store>
  /** Tests this driver is excused from, each with the reason (shown in the test report). */
  skip?: ReadonlyArray<{ test: string; reason: string }>
}

/** What each test gets: its own empty store, and the clock that store reads. */
export interface CaseContext {
  store: Store
  clock: ManualClock
}

/** Registers one test; case modules call it once per behaviour. */
export type DefineCase = (title: string, body: (ctx: CaseContext) => Promise<void>) => void

/**
 * The behaviour every Store driver must have, as node:test cases. Each driver's test file calls
 * this once; a driver passes when the whole suite passes (or skips with a stated reason).
 */
export function runStoreConformance(opts: StoreConformanceOptions): void {
  const skips = new Map((opts.skip ?? []).map((s) => [s.test, s.reason]))
  const titles = new Set<string>()

  describe(`Store conformance: ${opts.name}`, () => {
    let ctx: CaseContext | undefined
    beforeEach(async () => {
      ctx = undefined
      const clock = new ManualClock(START)
      ctx = { store: await opts.open(clock), clock }
    })
    afterEach(async () => {
      await ctx?.store.close()
    })

    const define: DefineCase = (title, body) => {
      assert.ok(!titles.has(title), `two conformance cases are called "${title}"`)
      titles.add(title)
      const reason = skips.get(title)
      it(title, reason === undefined ? {} : { skip: reason }, () => body(ctx!))
    }

    describe('accounts', () => accountCases(define))
    describe('r2', () => r2Cases(define))
    describe('dispatch namespaces', () => namespaceCases(define))
    describe('scripts', () => scriptCases(define))
    describe('script listing, tags and deletion', () => scriptListingCases(define))
    describe('zones and routes', () => zoneCases(define))
    describe('KV', () => kvCases(define))
    describe('D1', () => d1Cases(define))
    describe('placement leases', () => placementCases(define))
    describe('static assets', () => assetCases(define))
    describe('containment and invocation records', () => containmentCases(define))
    describe('cron triggers', () => scheduleCases(define))
    describe('usage', () => usageCases(define))
    describe('edge TLS', () => tlsCases(define))
    describe('durable objects', () => durableObjectCases(define))
    describe('queues', () => queueCases(define))

    it('every skip names a case of this suite', () => {
      const unknown = [...skips.keys()].filter((t) => !titles.has(t))
      assert.deepEqual(unknown, [], 'skip entries that match no case (renamed or removed?)')
    })
  })
}
