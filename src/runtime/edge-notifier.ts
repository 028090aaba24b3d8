/** Notified after every change the edge must see; resolves once every edge process has seen it. */
export interface EdgeNotifier {
  scriptChanged(change: { accountId: string; namespaceId: string | null; name: string }): Promise<void>
  routesChanged(): Promise<void>
  /** KV keys were written (no `keys`: the whole namespace); the edge's read caches forget them. */
  kvChanged(change: KvChange): Promise<void>
  /** Drop every cached descriptor and route (e.g. after missing changes from another node). */
  everythingChanged(): Promise<void>
  /**
   * Durable Object namespaces were deleted (a `deleted_classes` migration): their objects' storage
   * is reclaimed in the process hosting objects. Resolves once it is gone (best effort: an object
   * it misses is reclaimed when it is next reached).
   */
  objectsDeleted(namespaceIds: string[]): Promise<void>
}

/** What a KV write changed, for the edge's read caches. */
export interface KvChange {
  accountId: string
  namespaceId: string
  keys?: string[]
}
