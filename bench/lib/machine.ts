import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism, cpus, release, totalmem, type as osType } from 'node:os'
import type { RunInfo } from './report.js'
import { workerdBinary } from './workerd.js'

/** The machine and software versions a result was measured with. */
export function describeMachine(): Pick<RunInfo, 'machine' | 'versions'> {
  return {
    machine: {
      cpu: cpuModel(),
      cores: availableParallelism(),
      memoryGiB: totalmem() / 1024 ** 3,
      os: `${osType()} ${release()}`,
    },
    versions: {
      node: process.version,
      workerd: run(workerdBinary(), ['--version']) ?? 'unknown',
      workerhive: gitSha() ?? 'unknown',
    },
  }
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))
    if (match) return match[1]!.trim()
  } catch {
    // Not Linux: fall back to what Node reports.
  }
  return cpus()[0]?.model ?? 'unknown'
}

/**
 * HEAD's short sha of the working directory's repository (`npm run` runs in the package root),
 * marked `+dirty` when tracked files have uncommitted changes.
 */
function gitSha(): string | undefined {
  const cwd = process.cwd()
  const sha = run('git', ['rev-parse', '--short=12', 'HEAD'], cwd)
  if (!sha) return undefined
  const dirty = run('git', ['status', '--porcelain', '--untracked-files=no'], cwd)
  return dirty ? `${sha}+dirty` : sha
}

function run(cmd: string, args: string[], cwd?: string): string | undefined {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return undefined
  }
}
