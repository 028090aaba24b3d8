import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * workerd "is not a hardened sandbox" (its README). Where bubblewrap can create namespaces, each
 * workerd runs in its own user, PID, IPC and UTS namespaces as nobody, with no capabilities and a
 * read-only view of only what it needs: system libraries, its binary, the host worker and its
 * config. The data directory (database, credentials) does not exist in its world.
 */
export type Sandbox = { kind: 'bubblewrap'; prefix: string[] } | { kind: 'none'; reason: string }

const SYSTEM_PATHS = ['/usr', '/lib', '/lib64', '/bin', '/sbin', '/etc/resolv.conf', '/etc/hosts', '/etc/nsswitch.conf', '/etc/ssl', '/etc/ca-certificates']

export function detectSandbox(readOnlyPaths: string[], disabled = false): Sandbox {
  if (disabled) return { kind: 'none', reason: 'disabled by configuration (--no-sandbox)' }
  const bwrap = ['/usr/bin/bwrap', '/bin/bwrap', '/usr/local/bin/bwrap'].find((p) => existsSync(p))
  if (!bwrap) return { kind: 'none', reason: 'bubblewrap (bwrap) is not installed; install it with `apt-get install bubblewrap`' }
  const prefix = [bwrap, ...sandboxArgs(readOnlyPaths)]
  try {
    execFileSync(prefix[0]!, [...prefix.slice(1), '--', '/bin/true'], { stdio: 'pipe', timeout: 5000 })
  } catch (err) {
    const detail = err instanceof Error && 'stderr' in err ? String((err as { stderr: Buffer }).stderr).trim() : String(err)
    return { kind: 'none', reason: `bubblewrap cannot create namespaces here: ${detail}` }
  }
  return { kind: 'bubblewrap', prefix }
}

function sandboxArgs(readOnlyPaths: string[]): string[] {
  const args = [
    '--die-with-parent',
    '--unshare-user',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--uid', '65534',
    '--gid', '65534',
    '--cap-drop', 'ALL',
    '--new-session',
    '--proc', '/proc',
    '--dev', '/dev',
    '--tmpfs', '/tmp',
  ]
  for (const p of [...SYSTEM_PATHS, ...readOnlyPaths]) if (existsSync(p)) args.push('--ro-bind', p, p)
  return args
}

/** The directories a workerd process must read: its binary's folder, the host worker, its config. */
export const sandboxPaths = (workerdBinary: string, hostBundleDirs: string[], runtimeDir: string): string[] => [
  dirname(workerdBinary),
  ...hostBundleDirs,
  runtimeDir,
]
