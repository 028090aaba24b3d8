import assert from 'node:assert/strict'
import { edge, type EdgeResponse } from './edge.js'
import type { TestPlatform } from './platform.js'

/** Sends one edge request, turning a dropped connection into a status-0 response. */
export async function attempt(t: TestPlatform, host: string, path: string): Promise<EdgeResponse> {
  try {
    return await edge(t, host, path)
  } catch (err) {
    return { status: 0, headers: {}, text: String(err) }
  }
}

/** Waits (bounded) until every workerd process is up again after a kill. */
export async function allReady(t: TestPlatform): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (t.platform.edge.processes().every((p) => p.state === 'ready')) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`processes not ready: ${JSON.stringify(t.platform.edge.processes())}`)
}

/**
 * Gets a never-yielding user Worker (`/<name>` through the test dispatcher) convicted: a kill in the
 * pool sends it to probation, a kill there convicts it, and the next request is refused.
 */
export async function convictForCpu(t: TestPlatform, host: string, name: string): Promise<void> {
  const seen: string[] = []
  for (let i = 0; i < 4; i++) {
    const res = await attempt(t, host, `/${name}`)
    seen.push(`${res.status} ${res.text.slice(0, 60)}`)
    if (res.status === 502 && /CPU time limit/.test(res.text)) break
    await allReady(t)
  }
  assert.match(seen[seen.length - 1]!, /^502 dispatch failed: Worker exceeded CPU time limit\./, seen.join(' | '))
  await allReady(t)
}
