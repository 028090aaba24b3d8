import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { runInNewContext } from 'node:vm'
import { withCpuCheckpoints } from '../../src/runtime/internal/cpu-checkpoints.js'
import { CPU_CHECKPOINT } from '../../src/shared/protocol.js'

/** Runs a script with a counting checkpoint; returns its result and how many checkpoints ran. */
function run(code: string): { result: unknown; checks: number } {
  let checks = 0
  const result = runInNewContext(withCpuCheckpoints(code, 'commonjs'), { [CPU_CHECKPOINT]: () => void checks++ })
  return { result, checks }
}

describe('CPU checkpoints', () => {
  it('checks once per loop iteration, in every kind of loop, braces or not', () => {
    assert.equal(run('let n = 0; for (let i = 0; i < 5; i++) n++; n').checks, 5)
    assert.equal(run('let n = 0; while (n < 3) { n++ } n').checks, 3)
    assert.equal(run('let n = 0; do n++; while (n < 4); n').checks, 4)
    assert.equal(run('let s = 0; for (const x of [1, 2]) for (const k in {a: 1, b: 2}) s++; s').checks, 2 + 4)
    assert.equal(run('let n = 0; outer: for (;;) { for (;;) { n++; if (n > 2) break outer } } n').result, 3)
  })

  it('checks at every function entry and keeps what functions mean', () => {
    const code = `'use strict'
function f(a) { 'use strict'; return this === undefined ? a : 0 }
const g = (x) => ({ x })
const h = (x) => (y) => x + y
class C { #p = () => 1; get v() { return this.#p() } static s() { return 2 } }
;[f(1), g(2).x, h(1)(2), new C().v, C.s()].join(',')`
    const { result, checks } = run(code)
    assert.equal(result, '1,2,3,1,2')
    assert.equal(checks, 7) // f, g, h, the arrow h returned, #p, v, s
  })

  it('keeps line numbers and leaves code it cannot parse alone', () => {
    const code = 'function a() {\n  return 1\n}\nfor (;;)\n  break\n'
    assert.equal(withCpuCheckpoints(code, 'esm').split('\n').length, code.split('\n').length)
    assert.equal(withCpuCheckpoints('this is not JavaScript', 'esm'), 'this is not JavaScript')
  })
})
