import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface Tmpfs {
  readonly path: string
  /** Remounts it read-only (or back). */
  readOnly(on: boolean): void
  unmount(): void
}

/**
 * A small tmpfs of its own, for storage faults (a full disk, a read-only file system) that must not
 * touch the machine's disks. Needs root (or CAP_SYS_ADMIN): the reason mount gave otherwise.
 */
export function mountTmpfs(sizeMb: number): Tmpfs | string {
  const path = mkdtempSync(join(tmpdir(), 'workerhive-tmpfs-'))
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0755`, 'tmpfs', path], { encoding: 'utf8' })
  if (mounted.status !== 0) {
    rmSync(path, { recursive: true, force: true })
    return `cannot mount a tmpfs here (${(mounted.stderr || mounted.error?.message || 'mount failed').trim()})`
  }
  const run = (args: string[]) => {
    const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`)
  }
  return {
    path,
    readOnly: (on) => run(['mount', '-o', `remount,${on ? 'ro' : 'rw'}`, path]),
    unmount() {
      run(['umount', '-l', path])
      rmSync(path, { recursive: true, force: true })
    },
  }
}
