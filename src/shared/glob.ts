// Path globs of `run_worker_first` rules: `*` matches any run of characters, nothing else is
// special. Matched without regular expressions, in linear time: rules come from tenants, paths
// from anyone, and a backtracking regex of a few dozen stars could stall the process.

/** Whether `glob` matches all of `subject`. */
export function globMatches(glob: string, subject: string): boolean {
  const parts = glob.split('*')
  if (parts.length === 1) return glob === subject
  const first = parts[0]!
  const last = parts[parts.length - 1]!
  if (subject.length < first.length + last.length) return false
  if (!subject.startsWith(first) || !subject.endsWith(last)) return false
  // Each middle piece, leftmost first, is the earliest place it can go: greedy is exact here.
  let at = first.length
  const end = subject.length - last.length
  for (let i = 1; i < parts.length - 1; i++) {
    const piece = parts[i]!
    const found = subject.indexOf(piece, at)
    if (found === -1 || found + piece.length > end) return false
    at = found + piece.length
  }
  return true
}
