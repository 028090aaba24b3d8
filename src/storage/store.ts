import type { AccountId, KvNamespaceId, NamespaceId, ScriptId, VersionId, ZoneId } from '../domain/ids.js'
import type { TagFilter } from '../domain/tags.js'
import type { TokenCondition, TokenPolicy } from '../domain/token-policy.js'
import type { KvStore } from './kv-store.js'
import type { D1Store } from './d1-store.js'
import type { PlacementStore } from './placement-store.js'
import type { QueueStore } from './queue-store.js'
import type { OperationRecord, StorageProduct, StorageSample, UsageProduct, UsageRecord } from '../shared/usage.js'
import type { R2Store } from './r2-store.js'

/**
 * The persistence boundary: one async interface whose methods are named after what they do and are
 * atomic (each either happens whole or not at all). Drivers: ./sqlite (default), ./postgres.
 */
export interface Store {
  readonly accounts: AccountStore
  readonly namespaces: NamespaceStore
  readonly scripts: ScriptStore
  readonly kv: KvStore
  readonly d1: D1Store
  /** Which node owns a D1 database or a Durable Object (src/runtime/placement/). */
  readonly placement: PlacementStore
  readonly r2: R2Store
  readonly zones: ZoneStore
  readonly assets: AssetStore
  readonly containment: ContainmentStore
  readonly invocations: InvocationStore
  readonly schedules: ScheduleStore
  readonly queues: QueueStore
  readonly usage: UsageStore
  /** The edge's HTTPS: certificates per hostname, ACME state, zone settings it reads. */
  readonly tls: TlsStore
  readonly durableObjects: DurableObjectStore
  /**
   * Changes made through other nodes sharing this store, so each node's edge can drop what it
   * cached. Absent for stores only one node can open (SQLite).
   */
  readonly changes?: ChangeFeed
  close(): Promise<void>
}

export type StoreChange =
  | { kind: 'script'; accountId: string; namespaceId: string | null; name: string }
  | { kind: 'routes' }
  /** A script went on probation or was refused (see ContainmentStore). */
  | { kind: 'containment' }
  /** The feed may have missed changes (it reconnected): drop everything. */
  | { kind: 'everything' }

export interface ChangeFeed {
  /** Tells the other nodes; resolves once the store has taken the message. */
  publish(change: StoreChange): Promise<void>
  /** Calls `listener` with every change another node publishes. */
  subscribe(listener: (change: StoreChange) => void): void
}

/** A uniqueness rule was broken (a name already taken). */
export class StorageConflict extends Error {
  constructor(readonly what: string) {
    super(`${what} already exists`)
    this.name = 'StorageConflict'
  }
}

// --- accounts and credentials -----------------------------------------------------------------
export interface Account {
  id: AccountId
  name: string
  email: string
  /** workers.dev-style subdomain: `<script>.<subdomain>.<edge domain>`. */
  subdomain: string
  createdOn: string
}

export interface ApiToken {
  id: string
  accountId: AccountId
  name: string
  status: 'active' | 'disabled'
  createdOn: string
  /** Who owns it, as in Cloudflare: a user token (/user/tokens) or an account token. */
  owner: 'user' | 'account'
  /** null: full access to its account (tokens from `start` and the CLI). */
  policies: TokenPolicy[] | null
  condition: TokenCondition
  notBefore: string | null
  expiresOn: string | null
  modifiedOn: string
  lastUsedOn: string | null
}

/** What a client sets on a scoped token (create and update). */
export interface TokenSettings {
  name: string
  status?: 'active' | 'disabled'
  policies: TokenPolicy[] | null
  condition?: TokenCondition
  notBefore?: string | null
  expiresOn?: string | null
}

export interface AccountStore {
  create(input: { name: string; email: string; globalKeyHash: string; subdomain: string }): Promise<Account>
  get(id: AccountId): Promise<Account | undefined>
  list(): Promise<Account[]>
  /** The account whose email and global API key (hashed) match, for X-Auth-Email/X-Auth-Key. */
  findByGlobalKey(email: string, keyHash: string): Promise<Account | undefined>
  findBySubdomain(subdomain: string): Promise<Account | undefined>
  setSubdomain(id: AccountId, subdomain: string): Promise<void>
  /** A full-access token unless `settings` scope it. */
  createToken(input: {
    accountId: AccountId
    name: string
    tokenHash: string
    owner?: 'user' | 'account'
    settings?: TokenSettings
  }): Promise<ApiToken>
  findToken(tokenHash: string): Promise<ApiToken | undefined>
  /**
   * The token with its stored SHA-256 of the secret: R2's S3 endpoint signs with that digest as the
   * secret access key (Cloudflare's derivation), keyed by the token's id.
   */
  tokenWithHash(accountId: AccountId, id: string): Promise<{ token: ApiToken; tokenHash: string } | undefined>
  getToken(accountId: AccountId, id: string): Promise<ApiToken | undefined>
  listTokens(accountId: AccountId): Promise<ApiToken[]>
  /** Replaces the settings; undefined when the account has no such token. */
  updateToken(accountId: AccountId, id: string, settings: TokenSettings): Promise<ApiToken | undefined>
  /** Gives the token a new secret (the old one stops working); false when there is no such token. */
  rollToken(accountId: AccountId, id: string, tokenHash: string): Promise<boolean>
  deleteToken(accountId: AccountId, id: string): Promise<boolean>
  /** Records when the token was last used (last_used_on). */
  touchToken(id: string, at: string): Promise<void>
}

// --- dispatch namespaces --------------------------------------------------------------------
export interface Namespace {
  id: NamespaceId
  accountId: AccountId
  name: string
  trustedWorkers: boolean
  createdOn: string
  modifiedOn: string
  scriptCount: number
}

export interface NamespaceStore {
  create(accountId: AccountId, name: string): Promise<Namespace>
  list(accountId: AccountId): Promise<Namespace[]>
  get(accountId: AccountId, name: string): Promise<Namespace | undefined>
  getById(id: NamespaceId): Promise<Namespace | undefined>
  /** Renames and/or flips trusted mode; undefined when the namespace does not exist. */
  update(
    accountId: AccountId,
    name: string,
    patch: { name?: string; trustedWorkers?: boolean },
  ): Promise<Namespace | undefined>
  /** Deletes the namespace and every script in it. False when it did not exist. */
  delete(accountId: AccountId, name: string): Promise<boolean>
}

// --- scripts, versions, deployments -----------------------------------------------------------
/** Where a script lives: in a dispatch namespace, or at account level (namespaceId null). */
export interface ScriptScope {
  accountId: AccountId
  namespaceId: NamespaceId | null
}

export type ModuleType = 'esm' | 'commonjs' | 'text' | 'data' | 'wasm' | 'json' | 'sourcemap'

export interface ModuleRef {
  name: string
  type: ModuleType
  /** sha256 of the content: module code is stored once per distinct content. */
  hash: string
  size: number
}

export interface ModuleContent {
  name: string
  type: ModuleType
  content: Uint8Array
}

/** A binding as stored: Cloudflare's wire shape (secrets keep their text here and nowhere else). */
export type StoredBinding = { type: string; name: string } & Record<string, unknown>

export interface ScriptSettings {
  logpush: boolean
  usageModel: string
  limits: { cpu_ms?: number; subrequests?: number }
  observability: Record<string, unknown> | null
  tailConsumers: Array<Record<string, unknown>> | null
  placement: Record<string, unknown>
}

export interface Script {
  id: ScriptId
  accountId: AccountId
  namespaceId: NamespaceId | null
  name: string
  currentVersionId: VersionId
  createdOn: string
  modifiedOn: string
  tags: string[]
  settings: ScriptSettings
  /** workers.dev-style default hostname enabled (account scripts). */
  subdomainEnabled: boolean
  previewsEnabled: boolean
  /** The tag of the last Durable Object migration applied to the script (`migration_tag`). */
  migrationTag: string | null
}

export interface ScriptVersion {
  id: VersionId
  scriptId: ScriptId
  number: number
  createdOn: string
  format: 'modules' | 'service-worker'
  mainModule: string
  modules: ModuleRef[]
  compatibilityDate: string
  compatibilityFlags: string[]
  bindings: StoredBinding[]
  /** Hash of everything that makes this version run differently: the runtime's cache key. */
  etag: string
  annotations: Record<string, string>
  source: string
  /** Event handlers the main module registers (`fetch`, `scheduled`, `queue`, …), found at upload. */
  handlers: string[]
  /** Static assets served with this version, or null. */
  assets: VersionAssets | null
}

export interface NewVersion {
  format: 'modules' | 'service-worker'
  mainModule: string
  modules: ModuleContent[] | ModuleRef[]
  compatibilityDate: string
  compatibilityFlags: string[]
  bindings: StoredBinding[]
  annotations?: Record<string, string>
  source?: string
  /** @default ['fetch'] */
  handlers?: string[]
  /** @default null */
  assets?: VersionAssets | null
}

export interface Deployment {
  id: string
  scriptId: ScriptId
  createdOn: string
  source: string
  strategy: 'percentage'
  versions: Array<{ versionId: VersionId; percentage: number }>
  annotations: Record<string, string>
}

export interface PublishInput {
  scope: ScriptScope
  name: string
  version: NewVersion
  /** Replace the tag set (undefined keeps it). */
  tags?: string[]
  /** Settings to merge. */
  settings?: Partial<ScriptSettings>
  /** false: store the version without deploying it (wrangler's versions upload). */
  deploy?: boolean
  /**
   * Optimistic concurrency for read-modify-write changes (secrets, settings, re-uploads that keep
   * bindings): publish only while the script's current version is still this one (null: while the
   * script does not exist); otherwise throw StaleScriptVersion and change nothing.
   */
  ifCurrent?: VersionId | null
}

/** PublishInput.ifCurrent no longer holds: someone changed the script since it was read. */
export class StaleScriptVersion extends Error {
  constructor(readonly script: string) {
    super(`script ${script} changed since it was read`)
    this.name = 'StaleScriptVersion'
  }
}

/** What addTag did: added it, found it already there, or refused because the set is full. */
export type AddTagOutcome = 'added' | 'present' | 'full'

export interface ScriptListPage {
  scripts: Script[]
  /** Empty on the last page. */
  cursor: string
}

export interface ScriptStore {
  /** Stores the modules and a new version; deploys it (moves "current") unless deploy is false. */
  publish(input: PublishInput): Promise<{ script: Script; version: ScriptVersion; created: boolean }>
  /**
   * Rewrites the bindings of every stored version, in one transaction: `edit` returns the new
   * bindings or undefined to leave a version as it is. For sealing secrets at rest and rotating
   * their key; the number of versions changed is returned.
   */
  rewriteBindings(edit: (bindings: StoredBinding[]) => StoredBinding[] | undefined): Promise<number>
  get(scope: ScriptScope, name: string): Promise<Script | undefined>
  getById(id: ScriptId): Promise<Script | undefined>
  version(id: VersionId): Promise<ScriptVersion | undefined>
  versions(scriptId: ScriptId): Promise<ScriptVersion[]>
  moduleContent(hash: string): Promise<Uint8Array | undefined>
  list(scope: ScriptScope, opts: { filter?: TagFilter; cursor?: string; limit: number }): Promise<ScriptListPage>
  /** How many scripts the scope holds, counting no further than `upTo` (a quota check's question). */
  count(scope: ScriptScope, upTo: number): Promise<number>
  delete(scope: ScriptScope, name: string): Promise<boolean>
  /** Deletes up to `limit` scripts matching the filter; the names deleted, and whether more match. */
  deleteByTags(
    scope: ScriptScope,
    filter: TagFilter,
    limit: number,
  ): Promise<{ deleted: Array<{ id: ScriptId; name: string }>; hasMore: boolean }>
  setTags(scope: ScriptScope, name: string, tags: string[]): Promise<Script | undefined>
  /** Adds one tag unless the script already has `maxTags`; undefined when the script does not exist. */
  addTag(
    scope: ScriptScope,
    name: string,
    tag: string,
    maxTags: number,
  ): Promise<{ script: Script; outcome: AddTagOutcome } | undefined>
  /** Removes one tag (absent is fine); undefined when the script does not exist. */
  removeTag(scope: ScriptScope, name: string, tag: string): Promise<Script | undefined>
  updateSettings(scope: ScriptScope, name: string, settings: Partial<ScriptSettings>): Promise<Script | undefined>
  setSubdomain(
    scope: ScriptScope,
    name: string,
    flags: { enabled: boolean; previewsEnabled: boolean },
  ): Promise<Script | undefined>
  /** Moves "current" to an existing version of the script, recording a deployment. */
  deploy(
    scriptId: ScriptId,
    versions: Array<{ versionId: VersionId; percentage: number }>,
    meta: { source: string; annotations: Record<string, string> },
  ): Promise<Deployment>
  deployments(scriptId: ScriptId): Promise<Deployment[]>
  /** The newest deployment: the versions the edge serves, and their shares. */
  activeDeployment(scriptId: ScriptId): Promise<Deployment | undefined>
  /**
   * Deletes the oldest versions until at most `keep` remain, never the current version or one of the
   * active deployment; answers the ids deleted.
   */
  pruneVersions(scriptId: ScriptId, keep: number): Promise<VersionId[]>
}

// --- cron triggers -------------------------------------------------------------------------------
/** A script's cron trigger as the API shows it. */
export interface Schedule {
  cron: string
  createdOn: string
  modifiedOn: string
}

/** A trigger whose next run has come: what the scheduler needs to claim and run it. */
export interface DueTick {
  id: string
  scriptId: ScriptId
  accountId: AccountId
  namespaceId: NamespaceId | null
  scriptName: string
  cron: string
  /** The tick's time (ms): the `scheduledTime` the handler sees. */
  runAt: number
}

export interface ScheduleStore {
  /**
   * Replaces the script's triggers; a cron kept keeps its created_on and next run, a new one starts
   * at the given next run. The triggers after the change.
   */
  replace(scriptId: ScriptId, crons: Array<{ cron: string; nextRunAt: number }>): Promise<Schedule[]>
  list(scriptId: ScriptId): Promise<Schedule[]>
  /** Up to `limit` triggers whose next run is at or before `now`, oldest first. */
  due(now: number, limit: number): Promise<DueTick[]>
  /**
   * Moves a trigger's next run from `runAt` to `nextRunAt` in one conditional update: of all the
   * nodes claiming the same tick, exactly one gets true and runs it.
   */
  claim(id: string, runAt: number, nextRunAt: number): Promise<boolean>
}

// --- HTTPS at the edge -------------------------------------------------------------------------
/** A certificate the edge serves for one hostname (SNI), with its key sealed like a secret. */
export interface EdgeCertificate {
  hostname: string
  /** `custom`: uploaded with a custom hostname; `acme`: issued by the configured ACME directory. */
  source: 'custom' | 'acme'
  /** PEM: the leaf first, then its chain. */
  certificatePem: string
  /** The private key (PEM), sealed (src/secrets/sealer.ts). */
  sealedKey: string
  issuer: string
  notBefore: number
  notAfter: number
  /** When renewal is due (ms); a claim pushes it on, so one node renews. */
  renewAt: number
  updatedAt: string
}

export interface TlsStore {
  certificate(hostname: string): Promise<EdgeCertificate | undefined>
  /** Creates or replaces the hostname's certificate. */
  putCertificate(c: Omit<EdgeCertificate, 'updatedAt'>): Promise<void>
  deleteCertificate(hostname: string): Promise<boolean>
  /** ACME certificates whose renewal is due at `now`, soonest first. */
  renewalsDue(now: number, limit: number): Promise<EdgeCertificate[]>
  /** Moves a certificate's renewal from `renewAt` to `nextRenewAt`; true for exactly one claimer. */
  claimRenewal(hostname: string, renewAt: number, nextRenewAt: number): Promise<boolean>
  /** An HTTP-01 answer (`/.well-known/acme-challenge/<token>`), while its order runs. */
  challenge(token: string): Promise<string | undefined>
  /** Every running order's HTTP-01 answers, for the edge's table. */
  challenges(): Promise<Array<{ token: string; keyAuthorization: string }>>
  putChallenge(token: string, keyAuthorization: string): Promise<void>
  deleteChallenge(token: string): Promise<void>
  /**
   * Rewrites every sealed key (certificates' and ACME accounts') in one transaction: a secrets key
   * rotation re-seals them with the new key. How many changed.
   */
  rewriteSealedKeys(rewrite: (sealed: string) => string): Promise<number>
  /** The ACME account key of a directory (sealed); the first writer's key wins. */
  acmeAccountKey(directoryUrl: string, sealedKeyIfNone: string): Promise<string>
  /** A zone setting's value (Cloudflare's /zones/:id/settings/:name), undefined when never set. */
  zoneSetting(zoneId: ZoneId, name: string): Promise<string | undefined>
  setZoneSetting(zoneId: ZoneId, name: string, value: string): Promise<void>
  /** Every zone's value of one setting, for the edge's table. */
  zoneSettingValues(name: string): Promise<Array<{ zoneId: ZoneId; value: string }>>
}

// --- zones and routes ---------------------------------------------------------------------------
export interface Zone {
  id: ZoneId
  accountId: AccountId
  name: string
  createdOn: string
}

export interface Route {
  id: string
  zoneId: ZoneId
  pattern: string
  /** Account-level script the route sends to; null excludes the pattern from Workers. */
  script: string | null
}

export interface ZoneStore {
  create(accountId: AccountId, name: string): Promise<Zone>
  get(id: ZoneId): Promise<Zone | undefined>
  list(filter: { accountId?: AccountId; name?: string }): Promise<Zone[]>
  delete(id: ZoneId): Promise<boolean>
  routes(zoneId: ZoneId): Promise<Route[]>
  allRoutes(): Promise<Array<Route & { accountId: AccountId; zoneName: string }>>
  createRoute(zoneId: ZoneId, pattern: string, script: string | null): Promise<Route>
  updateRoute(zoneId: ZoneId, id: string, pattern: string, script: string | null): Promise<Route | undefined>
  deleteRoute(zoneId: ZoneId, id: string): Promise<boolean>
  /** Replaces every route of an account script with these (wrangler's PUT .../routes). */
  replaceScriptRoutes(
    accountId: AccountId,
    script: string,
    routes: Array<{ zoneId: ZoneId; pattern: string }>,
  ): Promise<Route[]>
  /** Cloudflare for SaaS: a hostname is unique platform-wide (StorageConflict otherwise). */
  createCustomHostname(h: Omit<CustomHostname, 'createdAt'>): Promise<CustomHostname>
  customHostnames(zoneId: ZoneId): Promise<CustomHostname[]>
  /** Rewrites status, ssl, metadata and origin; false when it is gone. */
  updateCustomHostname(h: CustomHostname): Promise<boolean>
  deleteCustomHostname(zoneId: ZoneId, id: string): Promise<boolean>
  /** Every custom hostname with its zone's name and account, for the edge's table. */
  allCustomHostnames(): Promise<Array<CustomHostname & { accountId: AccountId; zoneName: string }>>
  fallbackOrigin(zoneId: ZoneId): Promise<FallbackOrigin | undefined>
  /** Creates or replaces the zone's fallback origin, keeping its creation time. */
  setFallbackOrigin(zoneId: ZoneId, origin: string): Promise<FallbackOrigin>
  deleteFallbackOrigin(zoneId: ZoneId): Promise<boolean>
  allFallbackOrigins(): Promise<FallbackOrigin[]>
  /** Workers Custom Domains of one account's zones, with their zone's name, in hostname order. */
  workerDomains(accountId: AccountId): Promise<WorkerDomain[]>
  /** Attaches the hostname to the service, replacing whichever service had it. */
  putWorkerDomain(d: Omit<WorkerDomain, 'zoneName' | 'createdAt'>): Promise<void>
  deleteWorkerDomain(accountId: AccountId, id: string): Promise<boolean>
  allWorkerDomains(): Promise<Array<WorkerDomain & { accountId: AccountId }>>
}

export interface WorkerDomain {
  id: string
  zoneId: ZoneId
  zoneName: string
  hostname: string
  service: string
  environment: string
  createdAt: string
}

/** Where a zone's custom hostnames go when no route matches them: a hostname of the zone. */
export interface FallbackOrigin {
  zoneId: ZoneId
  origin: string
  createdAt: string
  updatedAt: string
}

export interface CustomHostname {
  id: string
  zoneId: ZoneId
  hostname: string
  /** `pending` until ownership is proven (or verification is off), then `active`. */
  status: 'pending' | 'active'
  /** Cloudflare's ssl object as sent (method, type, settings…); no certificate is issued here. */
  ssl: Record<string, unknown>
  customMetadata: Record<string, unknown> | null
  customOriginServer: string | null
  /** The value the TXT record and the HTTP token must carry. */
  verificationToken: string
  createdAt: string
}

// --- static assets ------------------------------------------------------------------------------
/** A version's static assets: which file each path serves, and how the assets are served. */
export interface VersionAssets {
  /** Path (`/index.html`) → content hash and size. */
  manifest: Record<string, { hash: string; size: number }>
  /** Cloudflare's asset config, validated (see src/assets/config.ts). */
  config: Record<string, unknown>
}

/** Where a script's asset files live. */
export const assetScope = (namespaceId: NamespaceId | string | null, script: string): string => `${namespaceId ?? ''}/${script}`

export interface AssetFile {
  hash: string
  /** null: served without a Content-Type. */
  contentType: string | null
  content: Uint8Array
}

/** An assets-upload-session: the manifest a client announced for one script. */
export interface AssetSession {
  id: string
  accountId: AccountId
  /** null for account-level scripts. */
  namespaceId: NamespaceId | null
  script: string
  manifest: Record<string, { hash: string; size: number }>
  /** Unix milliseconds. */
  expiresAt: number
}

/**
 * Asset contents, content-addressed within a scope (one script: see assetScope), and upload
 * sessions. Cloudflare shares files by hash across a namespace and tells platforms to salt hashes
 * for isolation; here tenants are isolated by default, and a script's redeploys still upload only
 * what changed.
 */
export interface AssetStore {
  /** The hashes of `hashes` the scope has no content for. */
  missing(accountId: AccountId, scope: string, hashes: string[]): Promise<Set<string>>
  /** Stores files (a hash already stored is left as it is). */
  put(accountId: AccountId, scope: string, files: AssetFile[]): Promise<void>
  get(accountId: AccountId, scope: string, hash: string): Promise<AssetFile | undefined>
  createSession(session: AssetSession): Promise<void>
  session(id: string): Promise<AssetSession | undefined>
}

// --- containment and invocation records ----------------------------------------------------------
/** A script as the runtime names it: namespaceId is '' for account-level scripts. */
export interface ScriptRef {
  accountId: string
  namespaceId: string
  script: string
}

/** A script on probation or refused (see src/runtime/containment.ts), until `until`. */
export interface ContainmentRecord extends ScriptRef {
  status: 'probation' | 'banned'
  /** What it was blamed for: 'cpu' or 'memory'. */
  reason: string
  strikes: number
  /** Unix milliseconds; the record no longer applies from then on. */
  until: number
}

/**
 * Containment decisions, shared by every node of the store and kept across restarts. The runtime
 * decides in memory and writes through; the store only keeps what is still in force.
 */
export interface ContainmentStore {
  /** Every record still in force (`until` later than now), of every account. */
  active(): Promise<ContainmentRecord[]>
  /** Writes records, each replacing what its script had, and forgets the expired ones. */
  put(records: ContainmentRecord[]): Promise<void>
}

/** How many invocations of a script ended with one outcome, and when the last one was counted. */
export interface InvocationCount extends ScriptRef {
  outcome: string
  count: number
  /** Unix milliseconds. */
  lastSeen: number
}

/** One trace event (workerd's TraceItem as JSON; fields are kept whatever they are). */
export interface InvocationEvent extends ScriptRef {
  event: Record<string, unknown>
  /** Unix milliseconds, when the platform received it (its clock decides retention); else eventTimestamp. */
  at?: number
}

/** How long an account's stored trace events are kept, and how many bytes of them at most. */
export interface EventRetention {
  /** Unix milliseconds: events older than `now - maxAgeMs` are dropped. */
  now: number
  maxAgeMs: number
  /** Per account; past it the account's oldest events are dropped first. */
  maxBytes: number
}

/** Which of an account's stored events a query wants (Workers Logs' query API). */
export interface EventQuery {
  /** Unix milliseconds, both inclusive. */
  from: number
  to: number
  /** One script (namespaceId '' for an account-level script); every script when absent. */
  script?: { namespaceId: string; script: string }
  /** Case-insensitive text the event's JSON must contain. */
  needle?: string
  limit: number
}

/** A stored event with where it came from and when (ms). */
export interface StoredEvent extends InvocationEvent {
  seq: number
  timestamp: number
}

/** Per-script invocation counters and each account's trace events (Workers Logs, `workerhive logs`). */
export interface InvocationStore {
  /**
   * In one transaction: adds the counts to the counters, appends the events in order (each stamped
   * with `at`, else its eventTimestamp, else `retention.now`), then prunes each account it appended to: events
   * older than the retention, then its oldest events until the account fits in `maxBytes`.
   */
  record(batch: { counts: InvocationCount[]; events: InvocationEvent[] }, retention: EventRetention): Promise<void>
  /** The newest `limit` events of a script, oldest first. */
  recent(script: ScriptRef, limit: number): Promise<Array<Record<string, unknown>>>
  /** An account's events matching the query, newest first. */
  query(accountId: string, query: EventQuery): Promise<StoredEvent[]>
  /** Every counter of the account's scripts. */
  counts(accountId: string): Promise<InvocationCount[]>
  /** Every counter of every account, summed per namespace and outcome (Prometheus /metrics). */
  namespaceTotals(): Promise<NamespaceTotal[]>
}

/** Invocations of a namespace's scripts (or an account's own scripts) that ended with one outcome. */
export interface NamespaceTotal {
  accountId: string
  /** '' for account-level scripts. */
  namespaceId: string
  /** The namespace's current name; null for account-level scripts and deleted namespaces. */
  namespaceName: string | null
  outcome: string
  count: number
}

export type { KvNamespaceId }

/** A stored usage record with its namespace's current name (null: account-level script or deleted namespace). */
export interface StoredUsage extends UsageRecord {
  namespaceName: string | null
}

/** Usage per script, minute and outcome (docs/usage.md): what billing and analytics read. */
export interface UsageStore {
  /**
   * In one transaction: adds the records to the stored ones (the same script, minute and status
   * add up, histograms bucket by bucket, so several nodes' records sum), then deletes every
   * record of a minute before `pruneBefore`.
   */
  add(records: UsageRecord[], pruneBefore: number): Promise<void>
  /**
   * An account's records of the minutes `from`..`to` (ms, inclusive), oldest first, at most
   * `limit` of them (the caller asks one more to tell that a range is too big).
   */
  query(accountId: string, range: { from: number; to: number }, limit: number): Promise<StoredUsage[]>
  /**
   * In one transaction: adds per-resource operations to the stored ones (the same account, minute,
   * product, resource and action add up), then deletes those of a minute before `pruneBefore`.
   */
  addOperations(records: OperationRecord[], pruneBefore: number): Promise<void>
  /** An account's operations on one product's resources in the minutes `from`..`to`, oldest first, at most `limit`. */
  queryOperations(accountId: string, product: UsageProduct, range: { from: number; to: number }, limit: number): Promise<OperationRecord[]>
  /** Every D1 database and every R2 bucket with its objects' figures: what the storage sampler measures. */
  storageInventory(): Promise<StorageInventory>
  /**
   * In one transaction: stores the samples (a later sample of the same account, minute, product
   * and resource replaces the earlier one), then deletes those of a minute before `pruneBefore`.
   */
  putStorageSamples(samples: StorageSample[], pruneBefore: number): Promise<void>
  /** An account's samples of one product in the minutes `from`..`to`, oldest first, at most `limit`. */
  queryStorage(accountId: string, product: StorageProduct, range: { from: number; to: number }, limit: number): Promise<StorageSample[]>
}

/** What the storage sampler reads from the store in one go. */
export interface StorageInventory {
  d1Databases: Array<{ accountId: string; id: string }>
  /** Payload bytes and object count from the objects' metadata; metadata bytes: keys and both metadata maps. */
  r2Buckets: Array<{ accountId: string; name: string; objects: number; bytes: number; metadataBytes: number }>
  /** Every Durable Object namespace with its account. */
  objectNamespaces: Array<{ accountId: string; id: string }>
}

// --- Durable Objects -----------------------------------------------------------------------------
/** A Durable Object namespace: one class a script implements; its id outlives renames and transfers. */
export interface DurableObjectNamespace {
  id: string
  scriptId: ScriptId
  className: string
  useSqlite: boolean
  createdOn: string
}

/** A namespace with the script that implements it now (what the edge resolves a binding's id to). */
export interface LocatedDurableObjectNamespace extends DurableObjectNamespace {
  accountId: AccountId
  namespaceId: NamespaceId | null
  scriptName: string
}

/** What one upload's `migrations` change, planned against the script's tag `fromTag`. */
export interface DurableObjectMigration {
  fromTag: string | null
  /** The tag the script has afterwards (null: unchanged). */
  toTag: string | null
  create: Array<{ id: string; className: string; useSqlite: boolean }>
  /** Namespaces of this script renamed (by id). */
  rename: Array<{ id: string; className: string }>
  /** Namespaces of another script of the same scope moved into this one (by id), under a class name. */
  move: Array<{ id: string; className: string }>
  /** Namespace ids deleted, with their objects. */
  delete: string[]
}

export interface DurableObjectStore {
  ofScript(scriptId: ScriptId): Promise<DurableObjectNamespace[]>
  get(id: string): Promise<LocatedDurableObjectNamespace | undefined>
  /**
   * Applies a planned migration in one transaction if the script's tag is still `fromTag`;
   * otherwise changes nothing and answers the tag it has.
   */
  migrate(scriptId: ScriptId, migration: DurableObjectMigration): Promise<{ applied: true } | { applied: false; currentTag: string | null }>
}
