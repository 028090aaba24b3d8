import type { NamespaceId } from '../domain/ids.js'
import type { Store } from '../storage/store.js'
import type { Logger } from '../util/logger.js'
import { LineGrouper, ownerOf, type LineOwner } from './tenant-lines.js'

type Stream = 'stdout' | 'stderr'

/**
 * workerd's stdout and stderr (host marks taken out) as log records: one record per console call
 * or exception, its stack included; a tenant's lines carry account, namespace (by name), script and
 * the ray id when the line names it, under the component "tenant". workerd's own lines are logged
 * under "workerd".
 */
export class TenantLog {
  readonly #tenant: Logger
  readonly #workerd: Logger
  readonly #store: Pick<Store, 'namespaces'>
  readonly #groupers = new Map<string, LineGrouper>()
  readonly #names = new Map<string, string>()

  constructor(deps: { log: Logger; store: Pick<Store, 'namespaces'> }) {
    this.#tenant = deps.log.child({ component: 'tenant' })
    this.#workerd = deps.log.child({ component: 'workerd' })
    this.#store = deps.store
  }

  line(index: number, stream: Stream, line: string): void {
    const key = `${index}/${stream}`
    let grouper = this.#groupers.get(key)
    if (!grouper) this.#groupers.set(key, (grouper = new LineGrouper((lines) => void this.#record(index, stream, lines))))
    grouper.push(line)
  }

  async #record(index: number, stream: Stream, lines: string[]): Promise<void> {
    const { owner, text } = ownerOf(lines[0]!)
    const msg = [text, ...lines.slice(1)].join('\n')
    if (!owner) {
      if (stream === 'stderr') this.#workerd.warn({ workerd: index, stream }, msg)
      else this.#workerd.debug({ workerd: index, stream }, msg)
      return
    }
    const fields = { account: owner.accountId, namespace: await this.#namespaceName(owner), script: owner.script, ...(owner.rayId ? { ray: owner.rayId } : {}), workerd: index, stream }
    // A Worker's console.log and console.info are for its developer; errors and warnings the operator may want.
    if (stream === 'stderr') this.#tenant.warn(fields, msg)
    else this.#tenant.debug(fields, msg)
  }

  /** The namespace's name (null for account scripts); its id when it is gone. */
  async #namespaceName(owner: LineOwner): Promise<string | null> {
    if (!owner.namespaceId) return null
    const known = this.#names.get(owner.namespaceId)
    if (known !== undefined) return known
    let name = owner.namespaceId
    try {
      name = (await this.#store.namespaces.getById(owner.namespaceId as NamespaceId))?.name ?? owner.namespaceId
    } catch {
      // The store is down: the id still names the namespace.
      return name
    }
    this.#names.set(owner.namespaceId, name)
    return name
  }
}
