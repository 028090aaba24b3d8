import { TENANT_LOG_TAG } from '../shared/protocol.js'

/** Whose a line of workerd's output is: a script, and the edge request when the line names it. */
export interface LineOwner {
  accountId: string
  /** '' for account-level scripts. */
  namespaceId: string
  script: string
  rayId?: string
}

/** Host lines (src/host): `[ray <id>] [<account>/<script>] …` and `[<account>/<namespace id>/<script>] …`. */
const HOST_PREFIX = /^(?:\[ray ([^\]\s]+)\] )?\[([^/\]\s]+)\/(?:([^/\]\s]+)\/)?([^/\]\s]+)\] /

/** Who a record's first line belongs to, and its text without the attribution; no owner for workerd's own lines. */
export function ownerOf(line: string): { owner?: LineOwner; text: string } {
  if (line.startsWith(TENANT_LOG_TAG)) {
    const rest = line.slice(TENANT_LOG_TAG.length)
    const space = rest.indexOf(' ')
    const [accountId, namespaceId, script] = (space < 0 ? rest : rest.slice(0, space)).split('/').map(decode)
    if (accountId !== undefined && namespaceId !== undefined && script !== undefined) {
      return { owner: { accountId, namespaceId, script }, text: space < 0 ? '' : rest.slice(space + 1) }
    }
  }
  const host = HOST_PREFIX.exec(line)
  if (host) {
    const [prefix, rayId, accountId, namespaceId, script] = host
    const owner: LineOwner = { accountId: accountId!, namespaceId: namespaceId ?? '', script: script!, ...(rayId ? { rayId } : {}) }
    return { owner, text: line.slice(prefix.length) }
  }
  return { text: line }
}

/** Whether a line opens a record of its own rather than continuing the one before. */
export const opensRecord = (line: string): boolean =>
  line.startsWith(TENANT_LOG_TAG) || HOST_PREFIX.test(line) || line.startsWith('workerd/')

function decode(part: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    return part
  }
}

/**
 * Puts a stream's lines back into the records they were printed as. workerd writes one console call
 * (an Error's stack included) in one go, so its lines arrive together: a line joins the record
 * before it unless it opens a record of its own, and a record ends with the burst it arrived in.
 */
export class LineGrouper {
  readonly #emit: (lines: string[]) => void
  #pending: string[] | undefined

  constructor(emit: (lines: string[]) => void) {
    this.#emit = emit
  }

  push(line: string): void {
    if (this.#pending && !opensRecord(line)) {
      this.#pending.push(line)
      return
    }
    this.flush()
    this.#pending = [line]
    // readline hands over every line of a chunk before I/O callbacks run again.
    setImmediate(() => this.flush())
  }

  flush(): void {
    const lines = this.#pending
    this.#pending = undefined
    if (lines) this.#emit(lines)
  }
}
