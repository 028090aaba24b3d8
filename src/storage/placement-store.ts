/**
 * Leases that give one node at a time a resource (a D1 database, a Durable Object) on a store
 * several nodes share. A lease is the node's id, the address other nodes forward to, and when it
 * ends (milliseconds since the epoch, from the caller's clock).
 */
export interface Lease {
  resource: string
  node: string
  address: string
  expiresAt: number
}

export interface PlacementStore extends PageStore, ObjectAlarmStore {
  /**
   * Takes the lease for `node` if it is free, expired or already this node's (then it is renewed
   * until `expiresAt`), all in one atomic step; answers the lease as it stands afterwards, so a
   * node that did not get it learns who holds it.
   */
  claimLease(lease: Lease, now: number): Promise<Lease>
  /** The lease as it stands, expired or not; undefined when none was ever taken. */
  getLease(resource: string): Promise<Lease | undefined>
  /** Gives the lease up if `node` holds it (a clean shutdown); false otherwise. */
  releaseLease(resource: string, node: string): Promise<boolean>
}

/** A resource's replicated file as a whole: its version and shape (the pages are read apart). */
export interface PageImage {
  resource: string
  /** Goes up by one with each replicated write; 0 is never stored. */
  version: number
  pageSize: number
  pageCount: number
}

export interface StoredPage {
  no: number
  data: Uint8Array
}

/** One replicated write: the pages that changed since `fromVersion`, and the file's new shape. */
export interface PageWrite {
  resource: string
  /** The version the writer last saw (0: none stored yet); the write is refused if it moved. */
  fromVersion: number
  pageSize: number
  pageCount: number
  /** Changed pages; pages at or past `pageCount` are dropped from the image. */
  pages: StoredPage[]
}

/**
 * Page images of resources that live in one place at a time (src/runtime/placement/pages.ts): their
 * owner writes the pages it changed before it acknowledges a write, and a new owner rebuilds the
 * file from them.
 */
export interface PageStore {
  getImage(resource: string): Promise<PageImage | undefined>
  /**
   * In one transaction: moves the image from `fromVersion` to `fromVersion + 1`, upserts the pages
   * and drops those past the end. Answers the new version, or undefined (nothing written) when the
   * stored version is not `fromVersion`: another owner wrote meanwhile.
   */
  writePages(write: PageWrite): Promise<number | undefined>
  /** Pages numbered from `fromNo` up, in order, at most `limit` of them (a rebuild reads in slices). */
  readPages(resource: string, fromNo: number, limit: number): Promise<StoredPage[]>
  /** Drops the image and its pages (the resource was deleted). */
  deleteImage(resource: string): Promise<void>
  /** The first page (page 0) of every image whose resource starts with `prefix` (a header, e.g. a Durable Object's bundle's). */
  firstPages(prefix: string): Promise<Array<{ resource: string; data: Uint8Array }>>
}

/** A Durable Object's pending alarm, as its owner last replicated it (milliseconds since the epoch). */
export interface ObjectAlarm {
  namespaceId: string
  objectId: string
  alarmAt: number
}

/**
 * Durable Objects with a pending alarm (several nodes): the owner keeps an object's row as it
 * replicates it, so any node can wake an object whose alarm is due once its owner is gone.
 */
export interface ObjectAlarmStore {
  /** Records (or moves) the object's alarm. */
  setObjectAlarm(alarm: ObjectAlarm): Promise<void>
  /** The object has no alarm any more. */
  deleteObjectAlarm(namespaceId: string, objectId: string): Promise<void>
  /**
   * Objects whose alarm is due at `now` and whose lease (`do:<namespace>:<id>`) is free or has
   * expired, soonest first, at most `limit`: those no live owner will run.
   */
  orphanedObjectAlarms(now: number, limit: number): Promise<ObjectAlarm[]>
}
