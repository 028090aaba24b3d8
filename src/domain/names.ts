/**
 * Name rules. Account-level Workers follow Cloudflare's rule (lowercase letters, digits, `-` and `_`,
 * at most 63 characters), and so do dispatch namespaces (Cloudflare documents them as lowercase and
 * alphanumeric with dashes; they are named in wrangler configs next to Worker names). Scripts inside
 * a dispatch namespace may be any printable name (WfP does not apply the account rule,
 * cloudflare/workers-sdk#5093) but never one that could escape a path.
 */
const ACCOUNT_SCRIPT = /^[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?$/

// Control characters (C0, DEL, C1) never belong in a name that ends up in URLs and logs.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

/** Returns why `name` is not a valid account-level Worker name, or undefined when it is. */
export function accountScriptNameProblem(name: string): string | undefined {
  if (ACCOUNT_SCRIPT.test(name)) return undefined
  return 'Ensure the name is lowercase, contains only letters, digits, dashes and underscores, starts and ends with a letter or digit, and is at most 63 characters'
}

/** Rules shared by namespace scripts and dispatch namespaces: printable, no path separators. */
export function printableNameProblem(name: string, max = 255): string | undefined {
  if (name.length === 0) return 'the name is empty'
  if (name.length > max) return `the name is longer than ${max} characters`
  if (CONTROL.test(name)) return 'the name contains control characters'
  if (name.includes('/') || name.includes('\\')) return "the name contains '/' or '\\'"
  if (name === '.' || name === '..' || name.includes('..')) return "the name contains '..'"
  if (name.trim() !== name) return 'the name starts or ends with whitespace'
  return undefined
}

export const namespaceScriptNameProblem = (name: string): string | undefined =>
  printableNameProblem(name, 255)

/** Returns why `name` cannot name a dispatch namespace (create or rename), or undefined. */
export function namespaceNameProblem(name: string): string | undefined {
  if (ACCOUNT_SCRIPT.test(name)) return undefined
  return 'Ensure the name is lowercase, contains only letters, digits, dashes and underscores, starts and ends with a letter or digit, and is at most 63 characters'
}
