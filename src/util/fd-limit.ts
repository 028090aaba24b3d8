import { readFileSync } from 'node:fs'

/**
 * This process's open-file limit (soft), or undefined where /proc does not say. Node raises its
 * soft limit to the hard one when it starts, so this is as high as an unprivileged process gets.
 */
export function openFileLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'))
    const soft = line?.split(/\s{2,}/)[1]
    if (soft === undefined || soft === 'unlimited') return undefined
    const n = Number(soft)
    return Number.isFinite(n) ? n : undefined
  } catch {
    return undefined
  }
}
