import { readFileSync } from 'node:fs'

// Process figures from /proc. A pid the platform reports may be a launcher (python, bubblewrap)
// with workerd as its child or grandchild, so every figure covers the whole process tree.

export const MiB = 1024 * 1024

/** The pid and all its descendants that still exist. */
export function processTree(pid: number): number[] {
  const out = [pid]
  for (let i = 0; i < out.length; i++) out.push(...childrenOf(out[i]!))
  return out
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

/** VmRSS of one process in bytes; 0 when it is gone. */
function rssOf(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) * 1024 : 0
  } catch {
    return 0
  }
}

/** User + system CPU time of one process (all its threads) in clock ticks; 0 when it is gone. */
function cpuTicksOf(pid: number): number {
  try {
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return Number(fields[11]) + Number(fields[12])
  } catch {
    return 0
  }
}

/** Total RSS in bytes of the given processes and their descendants. */
export const totalRss = (pids: number[]): number =>
  pids.flatMap(processTree).reduce((sum, pid) => sum + rssOf(pid), 0)

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100

/** CPU seconds used so far by the given processes and their descendants. */
export const cpuSeconds = (pids: number[]): number =>
  pids.flatMap(processTree).reduce((sum, pid) => sum + cpuTicksOf(pid), 0) / TICKS_PER_SECOND

/** CPU seconds used so far by this process alone (its children, workerd included, not counted). */
export const ownCpuSeconds = (): number => cpuTicksOf(process.pid) / TICKS_PER_SECOND

/**
 * CPU seconds the processes `pids()` names use from now to stop(), processes replaced meanwhile
 * included up to their last sample (taken every `everyMs`): a recycled workerd takes its CPU time with it.
 */
export function cpuMeter(pids: () => number[], everyMs = 250): { stop(): number } {
  const first = new Map<number, number>()
  const last = new Map<number, number>()
  const sample = (initial: boolean) => {
    for (const pid of pids().flatMap(processTree)) {
      const ticks = cpuTicksOf(pid)
      if (ticks === 0) continue
      if (!first.has(pid)) first.set(pid, initial ? ticks : 0)
      last.set(pid, ticks)
    }
  }
  sample(true)
  const timer = setInterval(() => sample(false), everyMs)
  return {
    stop() {
      clearInterval(timer)
      sample(false)
      let ticks = 0
      for (const [pid, end] of last) ticks += end - first.get(pid)!
      return ticks / TICKS_PER_SECOND
    },
  }
}
