/** Notified after every change the edge must see; resolves once every edge process has seen it. */
export interface EdgeNotifier {
  scriptChanged(change: { accountId: string; namespaceId: string | null; name: string }): Promise<void>
  routesChanged(): Promise<void>
  /** Drop every cached descriptor and route (e.g. after missing changes from another node). */
  everythingChanged(): Promise<void>
}
