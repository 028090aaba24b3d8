/**
 * Hands this process's invocation counters and usage records to Node with each health probe, in
 * numbered batches kept until Node acknowledges them (see DrainBatch): a probe Node stopped
 * waiting for does not lose what it drained.
 */
import type { DrainBatch } from '../../shared/usage.js'
import { drainCounts } from './counters.worker.js'
import { drainUsage } from './usage.worker.js'

/** Unacknowledged batches kept at most (a minute of probes): past it the oldest go. */
const MAX_UNACKED = 600

let seq = 0
let unacked: DrainBatch[] = []

/** Drops the batches Node acknowledged, drains what is new, and answers every batch not yet acknowledged. */
export function drainSince(ack: number): DrainBatch[] {
  unacked = unacked.filter((b) => b.seq > ack)
  const counts = drainCounts()
  const usage = drainUsage()
  if (Object.keys(counts).length > 0 || usage.length > 0) unacked.push({ seq: ++seq, counts, usage })
  if (unacked.length > MAX_UNACKED) unacked.splice(0, unacked.length - MAX_UNACKED)
  return unacked
}
