/**
 * The one registry of errors the API answers with. Codes are Cloudflare's numbers wherever Cloudflare
 * has one (docs/errors.md lists their sources); a test keeps that document in sync with this file.
 */
export interface CfError {
  code: number
  message: string
}

export class ApiError extends Error {
  readonly status: number
  readonly code: number
  readonly extra: CfError[]
  constructor(status: number, code: number, message: string, extra: CfError[] = []) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.extra = extra
  }
  toCfErrors(): CfError[] {
    return [{ code: this.code, message: this.message }, ...this.extra]
  }
}

interface ErrorDefinition<A extends unknown[]> {
  code: number
  status: number
  message: (...args: A) => string
}

export type ApiErrorFactory<A extends unknown[]> = ((...args: A) => ApiError) & {
  readonly code: number
  readonly status: number
}

const registry: Array<{ name: string; code: number; status: number }> = []

function defineApiError<A extends unknown[]>(name: string, def: ErrorDefinition<A>): ApiErrorFactory<A> {
  registry.push({ name, code: def.code, status: def.status })
  const make = (...args: A): ApiError => new ApiError(def.status, def.code, def.message(...args))
  return Object.assign(make, { code: def.code, status: def.status })
}

/** Every defined error, for docs/errors.md and its test. */
export const errorRegistry = (): ReadonlyArray<{ name: string; code: number; status: number }> => registry

// --- authentication and routing -------------------------------------------------------------
export const authenticationError = defineApiError('authenticationError', {
  code: 10000, status: 401, message: () => 'Authentication error',
})
export const forbidden = defineApiError('forbidden', {
  code: 10000, status: 403, message: () => 'Authentication error',
})
export const invalidApiToken = defineApiError('invalidApiToken', {
  code: 1000, status: 401, message: () => 'Invalid API Token',
})
/** A scoped token lacking the permission: Cloudflare's answer on /user (9109). */
export const unauthorizedResource = defineApiError('unauthorizedResource', {
  code: 9109, status: 403, message: () => 'Unauthorized to access requested resource',
})
export const tokenLocationRefused = defineApiError('tokenLocationRefused', {
  code: 9109, status: 403, message: (ip: string) => `Cannot use the access token from location: ${ip}`,
})
export const tokenNotFound = defineApiError('tokenNotFound', {
  code: 1003, status: 404, message: () => 'Token not found',
})
export const invalidTokenRequest = defineApiError('invalidTokenRequest', {
  code: 1001, status: 400, message: (why: string) => why,
})
export const methodNotAllowed = defineApiError('methodNotAllowed', {
  code: 10000, status: 405,
  message: (method: string) => `${method} method not allowed for the api_token authentication scheme`,
})
export const noRoute = defineApiError('noRoute', {
  code: 7000, status: 404, message: () => 'No route for that URI',
})
export const noAccountRoute = defineApiError('noAccountRoute', {
  code: 7003, status: 404,
  message: (path: string) => `Could not route to ${path}, perhaps your object identifier is invalid?`,
})
export const internalError = defineApiError('internalError', {
  code: 10002, status: 500, message: () => 'An internal error occurred',
})
export const storageUnavailable = defineApiError('storageUnavailable', {
  code: 10002, status: 503, message: (why: string) => `Storage is unavailable: ${why}`,
})
// 507 Insufficient Storage: the client's request was fine, the platform's disk is not; nothing was
// saved, and the same request succeeds once an operator frees space.
export const storageFull = defineApiError('storageFull', {
  code: 10002, status: 507,
  message: () => "The platform's storage is full, so nothing was saved; retry once its operator has freed space",
})

// --- request bodies -------------------------------------------------------------------------
export const malformedBody = defineApiError('malformedBody', {
  code: 10026, status: 400, message: (why: string) => `Could not parse request body: ${why}`,
})
export const invalidInput = defineApiError('invalidInput', {
  code: 10021, status: 400, message: (why: string) => why,
})

// --- dispatch namespaces ----------------------------------------------------------------------
export const namespaceNotFound = defineApiError('namespaceNotFound', {
  code: 10007, status: 404, message: (name: string) => `dispatch namespace '${name}' not found`,
})
export const namespaceExists = defineApiError('namespaceExists', {
  code: 100119, status: 409,
  message: (name: string) => `A dispatch namespace named '${name}' already exists in this account`,
})
export const invalidNamespaceName = defineApiError('invalidNamespaceName', {
  code: 10016, status: 400, message: (why: string) => `Invalid dispatch namespace name: ${why}`,
})

// --- scripts --------------------------------------------------------------------------------
export const scriptNotFound = defineApiError('scriptNotFound', {
  code: 10007, status: 404, message: () => 'This Worker does not exist on your account.',
})
/** wrangler's `deploy --dispatch-namespace` treats only this code as "first deploy". */
export const namespaceScriptNotFound = defineApiError('namespaceScriptNotFound', {
  code: 10092, status: 404,
  message: (script: string, ns: string) => `Worker '${script}' not found in dispatch namespace '${ns}'`,
})
export const invalidScriptName = defineApiError('invalidScriptName', {
  code: 10016, status: 400,
  message: (why: string) => `Invalid Worker name: ${why}`,
})
export const scriptValidation = defineApiError('scriptValidation', {
  code: 10021, status: 400, message: (why: string) => why,
})
/** Cloudflare's answer to a modules upload whose exports register nothing (Workers error table). */
export const noEventHandlers = defineApiError('noEventHandlers', {
  code: 10068, status: 400, message: () => 'The uploaded script has no registered event handlers.',
})
// --- Durable Objects --------------------------------------------------------------------------
/** Cloudflare's answer when an upload's migrations were planned against another tag (wrangler shows it). */
export const migrationTagMismatch = defineApiError('migrationTagMismatch', {
  code: 10079, status: 400,
  message: (current: string | null) => `Migration tag precondition failed; current tag is ${current ?? 'unset'}`,
})
/** A migration step that does not apply to the script's classes (new class that exists, rename of one that does not...). */
export const migrationInvalid = defineApiError('migrationInvalid', {
  code: 10074, status: 400, message: (why: string) => why,
})
/** A `durable_object_namespace` binding to a class no script implements (no new_classes migration). */
export const durableObjectClassMissing = defineApiError('durableObjectClassMissing', {
  code: 10061, status: 400,
  message: (className: string, script: string) =>
    `Cannot create binding for class '${className}' because it is not currently configured to implement Durable Objects in script '${script}'. Did you forget to apply a new_classes migration?`,
})
/** Cloudflare refuses a version upload (`POST …/versions`) that would apply a migration: only a deploy applies one. */
export const versionUploadWithMigration = defineApiError('versionUploadWithMigration', {
  code: 10211, status: 400,
  message: () =>
    'Version upload failed: this version carries a Durable Object migration, and migrations are applied only by a non-versioned deployment (PUT …/scripts/:name, wrangler deploy).',
})
export const bodyTooLarge = defineApiError('bodyTooLarge', {
  code: 10027, status: 413,
  message: (size: number, limit: number) => `The request body exceeded the size limit of ${limit} bytes (got at least ${size} bytes)`,
})
export const scriptTooLarge = defineApiError('scriptTooLarge', {
  code: 10027, status: 413,
  message: (size: number, limit: number) =>
    `Your Worker exceeded the size limit of ${limit} bytes (got at least ${size} bytes)`,
})
export const inheritBindingInvalid = defineApiError('inheritBindingInvalid', {
  code: 10057, status: 400,
  message: (name: string) =>
    `inherit binding '${name}' is invalid: there is no binding of that name on the previous version`,
})
export const secretNotFound = defineApiError('secretNotFound', {
  code: 10056, status: 404, message: (name: string) => `Secret '${name}' not found`,
})
export const versionNotFound = defineApiError('versionNotFound', {
  code: 10007, status: 404, message: (id: string) => `Version '${id}' not found`,
})
/** wrangler's `secret put` recognises 10215 and tells the user to deploy the latest version first. */
export const latestVersionNotDeployed = defineApiError('latestVersionNotDeployed', {
  code: 10215, status: 400,
  message: () =>
    'The latest version of this Worker is not deployed at 100 %: deploy it before changing secrets, so the change cannot end a gradual deployment',
})
export const invalidTags = defineApiError('invalidTags', {
  code: 10021, status: 400, message: (why: string) => why,
})
/** Cloudflare's answer to a schedule it cannot parse; wrangler prints the message with the code. */
export const invalidCron = defineApiError('invalidCron', {
  code: 10100, status: 400, message: (cron: string) => `invalid cron string: '${cron}'`,
})
export const tooManyCrons = defineApiError('tooManyCrons', {
  code: 10072, status: 400, message: (max: number) => `workers.api.error.too_many_crons: at most ${max} cron triggers per script`,
})
/** Two changes raced on one script and retries did not settle it; the SDK retries 409 by itself. */
export const concurrentScriptChange = defineApiError('concurrentScriptChange', {
  code: 10035, status: 409,
  message: (name: string) => `Multiple attempts to modify Worker '${name}' at the same time; try again`,
})

// --- D1 -------------------------------------------------------------------------------------
// Codes are those wrangler's sources and tests name (7404 not found, 7406 quota, 7502 name taken,
// 7500 a query failed: HTTP 400 since 2024-04); 7400 for a malformed request is Workerhive's pick.
export const d1DatabaseNotFound = defineApiError('d1DatabaseNotFound', {
  code: 7404, status: 404, message: () => 'database not found',
})
export const d1NameTaken = defineApiError('d1NameTaken', {
  code: 7502, status: 400, message: () => 'A database with that name already exists',
})
export const d1DatabaseQuotaExceeded = defineApiError('d1DatabaseQuotaExceeded', {
  code: 7406, status: 400, message: (limit: number) => `You have reached the maximum number of D1 databases (${limit}) for this account`,
})
export const d1BadRequest = defineApiError('d1BadRequest', {
  code: 7400, status: 400, message: (why: string) => why,
})
export const d1QueryFailed = defineApiError('d1QueryFailed', {
  code: 7500, status: 400, message: (why: string) => why,
})

// --- KV -------------------------------------------------------------------------------------
export const kvKeyNotFound = defineApiError('kvKeyNotFound', {
  code: 10009, status: 404, message: (op: string) => `${op}: 'key not found'`,
})
export const kvNamespaceNotFound = defineApiError('kvNamespaceNotFound', {
  code: 10013, status: 404, message: (op: string) => `${op}: 'namespace not found'`,
})
export const kvTitleTaken = defineApiError('kvTitleTaken', {
  code: 10014, status: 400,
  message: () => 'a namespace with this account ID and title already exists',
})
export const kvInvalidNamespaceId = defineApiError('kvInvalidNamespaceId', {
  code: 10011, status: 400,
  message: (id: string) => `could not parse UUID from request's namespace_id: '${id}'`,
})
export const kvInvalid = defineApiError('kvInvalid', {
  code: 10019, status: 400, message: (why: string) => why,
})
// The KV errors below take their codes from Cloudflare's published Workers KV error table
// (10007 malformed page … 10047 invalid metadata) and their statuses and messages from what the KV
// backend answers (the text workerd and miniflare show as "KV PUT failed: 414 UTF-8 encoded …").
export const kvMalformedPage = defineApiError('kvMalformedPage', {
  code: 10007, status: 400, message: (raw: string) => `malformed page argument '${raw}': expected an integer ≥ 1`,
})
export const kvMalformedPerPage = defineApiError('kvMalformedPerPage', {
  code: 10008, status: 400,
  message: (raw: string) => `malformed per_page argument '${raw}': expected an integer ≥ 1`,
})
export const kvMalformedValue = defineApiError('kvMalformedValue', {
  code: 10012, status: 400, message: (why: string) => why,
})
export const kvPayloadTooLarge = defineApiError('kvPayloadTooLarge', {
  code: 10024, status: 413, message: (why: string) => why,
})
export const kvInvalidLimit = defineApiError('kvInvalidLimit', {
  code: 10028, status: 400, message: (why: string) => why,
})
export const kvInvalidRequest = defineApiError('kvInvalidRequest', {
  code: 10029, status: 400, message: (why: string) => why,
})
export const kvKeyTooLong = defineApiError('kvKeyTooLong', {
  code: 10030, status: 414,
  message: (bytes: number, limit: number) => `UTF-8 encoded length of ${bytes} exceeds key length limit of ${limit}.`,
})
export const kvInvalidExpiration = defineApiError('kvInvalidExpiration', {
  code: 10033, status: 400, message: (why: string) => why,
})
export const kvInvalidExpirationTtl = defineApiError('kvInvalidExpirationTtl', {
  code: 10034, status: 400, message: (why: string) => why,
})
export const kvInvalidCursor = defineApiError('kvInvalidCursor', {
  code: 10041, status: 400, message: () => 'invalid "list keys" cursor',
})
export const kvIllegalKey = defineApiError('kvIllegalKey', {
  code: 10042, status: 400, message: (why: string) => why,
})
export const kvInvalidOrder = defineApiError('kvInvalidOrder', {
  code: 10043, status: 400, message: (raw: string) => `invalid order '${raw}': use 'id' or 'title'`,
})
export const kvInvalidDirection = defineApiError('kvInvalidDirection', {
  code: 10044, status: 400, message: (raw: string) => `invalid direction '${raw}': use 'asc' or 'desc'`,
})
export const kvInvalidMetadata = defineApiError('kvInvalidMetadata', {
  code: 10047, status: 400, message: (why: string) => why,
})
export const kvMetadataTooLarge = defineApiError('kvMetadataTooLarge', {
  code: 10047, status: 413,
  message: (bytes: number, limit: number) => `Metadata length of ${bytes} exceeds limit of ${limit}.`,
})

// --- R2 -------------------------------------------------------------------------------------
// Codes, statuses and messages from Cloudflare's R2 error table (the binding throws them as
// `<op>: <message> (<code>)`, the S3 endpoint answers the S3 code named beside each, r2/s3-errors.ts).
export const r2InternalError = defineApiError('r2InternalError', {
  code: 10001, status: 500, message: () => 'We encountered an internal error. Please try again.',
})
export const r2InvalidBucketName = defineApiError('r2InvalidBucketName', {
  code: 10005, status: 400, message: () => 'The specified bucket name is not valid.',
})
export const r2BucketNotFound = defineApiError('r2BucketNotFound', {
  code: 10006, status: 404, message: () => 'The specified bucket does not exist.',
})
export const r2KeyNotFound = defineApiError('r2KeyNotFound', {
  code: 10007, status: 404, message: () => 'The specified key does not exist.',
})
export const r2BucketNotEmpty = defineApiError('r2BucketNotEmpty', {
  code: 10008, status: 409, message: () => 'The bucket you tried to delete is not empty.',
})
export const r2BucketExists = defineApiError('r2BucketExists', {
  code: 10004, status: 409, message: () => 'The bucket you tried to create already exists, and you own it.',
})
export const r2EntityTooSmall = defineApiError('r2EntityTooSmall', {
  code: 10011, status: 400, message: () => 'Your proposed upload is smaller than the minimum allowed object size.',
})
export const r2MetadataTooLarge = defineApiError('r2MetadataTooLarge', {
  code: 10012, status: 400, message: () => 'Your metadata headers exceed the maximum allowed metadata size.',
})
export const r2InvalidObjectName = defineApiError('r2InvalidObjectName', {
  code: 10020, status: 400, message: () => 'The specified object name is not valid.',
})
export const r2InvalidMaxKeys = defineApiError('r2InvalidMaxKeys', {
  code: 10022, status: 400, message: () => 'MaxKeys params must be positive integer <= 1000.',
})
export const r2NoSuchUpload = defineApiError('r2NoSuchUpload', {
  code: 10024, status: 404, message: () => 'The specified multipart upload does not exist.',
})
export const r2InvalidPart = defineApiError('r2InvalidPart', {
  code: 10025, status: 400, message: () => 'One or more of the specified parts could not be found.',
})
export const r2InvalidArgument = defineApiError('r2InvalidArgument', {
  code: 10029, status: 400, message: (why: string) => why,
})
export const r2PreconditionFailed = defineApiError('r2PreconditionFailed', {
  code: 10031, status: 412, message: () => 'At least one of the pre-conditions you specified did not hold.',
})
export const r2SignatureDoesNotMatch = defineApiError('r2SignatureDoesNotMatch', {
  code: 10035, status: 403,
  message: () => 'The request signature we calculated does not match the signature you provided. Check your secret access key and signing method.',
})
export const r2BadDigest = defineApiError('r2BadDigest', {
  code: 10037, status: 400,
  message: (algorithm: string, given: string, actual: string) =>
    `The ${algorithm} checksum you specified did not match what we received.\nYou provided a ${algorithm} checksum with value: ${given}\nActual ${algorithm} was: ${actual}`,
})
export const r2InvalidRange = defineApiError('r2InvalidRange', {
  code: 10039, status: 416, message: () => 'The requested range is not satisfiable',
})
export const r2BadUpload = defineApiError('r2BadUpload', {
  code: 10048, status: 400, message: () => 'There was a problem with the multipart upload.',
})
export const r2EntityTooLarge = defineApiError('r2EntityTooLarge', {
  code: 100100, status: 400, message: () => 'Your proposed upload exceeds the maximum allowed object size.',
})
export const r2NoCorsConfiguration = defineApiError('r2NoCorsConfiguration', {
  code: 10059, status: 404, message: () => 'The CORS configuration does not exist.',
})
export const r2AccessDenied = defineApiError('r2AccessDenied', {
  code: 10003, status: 403, message: () => 'Access Denied',
})
export const r2Unauthorized = defineApiError('r2Unauthorized', {
  code: 10002, status: 401, message: () => 'Unauthorized',
})

// --- zones, routes, subdomains ----------------------------------------------------------------
export const zoneNotFound = defineApiError('zoneNotFound', {
  code: 1001, status: 404, message: () => 'Invalid zone identifier',
})
export const zoneExists = defineApiError('zoneExists', {
  code: 1061, status: 409, message: (name: string) => `${name} already exists`,
})
export const routeNotFound = defineApiError('routeNotFound', {
  code: 10007, status: 404, message: () => 'Route not found',
})
export const routeConflict = defineApiError('routeConflict', {
  code: 10020, status: 409,
  message: (pattern: string) => `A route with the pattern '${pattern}' already exists`,
})
export const subdomainNotFound = defineApiError('subdomainNotFound', {
  code: 10007, status: 404, message: () => 'This account has no workers.dev subdomain',
})
export const subdomainTaken = defineApiError('subdomainTaken', {
  code: 10031, status: 409, message: (name: string) => `The subdomain '${name}' is unavailable`,
})
// Cloudflare's answer to an unusable zone name; number from its zone API (unconfirmed by a recording).
export const invalidZoneName = defineApiError('invalidZoneName', {
  code: 1099, status: 400,
  message: (name: string, why: string) => `We were unable to identify '${name}' as a domain name: ${why}`,
})
/**
 * Cloudflare's 1099 for a name it cannot add as a zone (a public suffix, an address, a name it cannot
 * take for this account). One sentence for every reason that depends on other accounts, so the
 * answer never says that a name is held by someone else.
 */
// --- custom hostnames (Cloudflare for SaaS) ------------------------------------------------------
export const invalidCustomHostname = defineApiError('invalidCustomHostname', {
  code: 1407, status: 400,
  message: (why: string) => `Invalid custom hostname: ${why}. Check your input and try again.`,
})
export const prohibitedCustomHostname = defineApiError('prohibitedCustomHostname', {
  code: 1411, status: 400,
  message: () => 'Custom hostnames ending in example.com, example.net, or example.org are prohibited. Check your input and try again.',
})
export const fallbackOriginNotFound = defineApiError('fallbackOriginNotFound', {
  code: 1551, status: 404, message: () => 'No fallback origin is set for this zone.',
})
export const reservedCustomHostname = defineApiError('reservedCustomHostname', {
  code: 1409, status: 400,
  message: () =>
    "Reserved top domain custom hostnames, such as 'test', 'example', 'invalid' or 'localhost', is not supported. Check your input and try again.",
})
export const duplicateCustomHostname = defineApiError('duplicateCustomHostname', {
  code: 1406, status: 409, message: () => 'Duplicate custom hostname found.',
})
export const customHostnameNotFound = defineApiError('customHostnameNotFound', {
  code: 1436, status: 404, message: () => 'The custom hostname was not found.',
})
export const invalidCustomMetadata = defineApiError('invalidCustomMetadata', {
  code: 1401, status: 400, message: () => 'Unable to encode the Custom Metadata as JSON. Check your input and try again.',
})
export const invalidCustomCertificate = defineApiError('invalidCustomCertificate', {
  code: 1414, status: 400,
  message: (why: string) => `The SSL attribute is invalid: ${why}. Please refer to the API documentation, check your input and try again.`,
})
export const invalidZoneSettingValue = defineApiError('invalidZoneSettingValue', {
  code: 1007, status: 400, message: (name: string) => `Invalid value for zone setting ${name}`,
})
export const unknownZoneSetting = defineApiError('unknownZoneSetting', {
  code: 1006, status: 400, message: () => 'Unrecognized zone setting name',
})
// --- Workers Custom Domains ------------------------------------------------------------------------
export const workerDomainZoneNotFound = defineApiError('workerDomainZoneNotFound', {
  code: 10083, status: 404, message: (hostname: string) => `workers.api.error.zone_not_found for "${hostname}"`,
})
export const workerDomainNotFound = defineApiError('workerDomainNotFound', {
  code: 10007, status: 404, message: () => 'Custom domain not found',
})
export const zoneNotRegistrable = defineApiError('zoneNotRegistrable', {
  code: 1099, status: 400,
  message: (name: string) =>
    `We were unable to identify '${name}' as a registered domain: add the domain you registered (example.com), not a public suffix, an IP address or a subdomain`,
})
/** wrangler prints this code for a pattern outside its zone (cloudflare/wrangler-legacy#675). */
export const routeOutsideZone = defineApiError('routeOutsideZone', {
  code: 10022, status: 400, message: (pattern: string) => `Route pattern must include zone name: ${pattern}`,
})
export const invalidRoutePattern = defineApiError('invalidRoutePattern', {
  code: 10022, status: 400, message: (pattern: string, why: string) => `Invalid route pattern '${pattern}': ${why}`,
})
export const routeZoneUnknown = defineApiError('routeZoneUnknown', {
  code: 1001, status: 400,
  message: (what: string) => `Could not find zone for '${what}' in this account`,
})
/** The availability check's "free" answer: Cloudflare's dashboard and wrangler read 10032 as available. */
export const subdomainAvailable = defineApiError('subdomainAvailable', {
  code: 10032, status: 404, message: (name: string) => `The subdomain '${name}' is available`,
})
export const invalidSubdomain = defineApiError('invalidSubdomain', {
  code: 10031, status: 400,
  message: (name: string) =>
    `The subdomain '${name}' is unavailable: use 1 to 63 lowercase letters, digits and '-', not starting or ending with '-'`,
})
export const deploymentNotFound = defineApiError('deploymentNotFound', {
  code: 10007, status: 404, message: (id: string) => `Deployment '${id}' not found`,
})
/** Lifting a ban the script does not have (Workerhive's own operator endpoint). */
export const containmentNotFound = defineApiError('containmentNotFound', {
  code: 10007, status: 404, message: (key: string) => `Script '${key}' is neither on probation nor refused`,
})

// --- live tails -----------------------------------------------------------------------------
/** Cloudflare's generic Workers "not found" number, as for routes, versions and deployments. */
export const tailNotFound = defineApiError('tailNotFound', {
  code: 10007, status: 404, message: (id: string) => `Tail '${id}' not found`,
})

// --- per-account quotas (Cloudflare's defaults, configurable by the operator) -------------------
/** Cloudflare's 10037 when an account already has as many Workers as its plan allows. */
export const scriptQuotaExceeded = defineApiError('scriptQuotaExceeded', {
  code: 10037, status: 400,
  message: (limit: number) => `Exceeded the number of Workers allowed on this account (${limit})`,
})
export const namespaceScriptQuotaExceeded = defineApiError('namespaceScriptQuotaExceeded', {
  code: 10037, status: 400,
  message: (ns: string, limit: number) => `Exceeded the number of Workers allowed in dispatch namespace '${ns}' (${limit})`,
})
export const namespaceQuotaExceeded = defineApiError('namespaceQuotaExceeded', {
  code: 100120, status: 400,
  message: (limit: number) => `Exceeded the number of dispatch namespaces allowed on this account (${limit})`,
})
export const kvNamespaceQuotaExceeded = defineApiError('kvNamespaceQuotaExceeded', {
  code: 100121, status: 400,
  message: (limit: number) => `Exceeded the number of KV namespaces allowed on this account (${limit})`,
})
export const routeQuotaExceeded = defineApiError('routeQuotaExceeded', {
  code: 100122, status: 400,
  message: (limit: number) => `Exceeded the number of Worker routes allowed on this zone (${limit})`,
})

// --- queues -----------------------------------------------------------------------------------
export const queueNotFound = defineApiError('queueNotFound', {
  code: 11000, status: 404, message: () => 'Queue does not exist',
})
export const queueHandlerMissing = defineApiError('queueHandlerMissing', {
  code: 11001, status: 400, message: (script: string) => `queue handler is missing in Worker '${script}'`,
})
export const queueInvalidName = defineApiError('queueInvalidName', {
  code: 11003, status: 400,
  message: (name: string) => `Invalid queue name '${name}': use letters, digits and dashes, at most 63 characters`,
})
export const queueConsumerExists = defineApiError('queueConsumerExists', {
  code: 11004, status: 409, message: () => 'A consumer already exists for this queue',
})
export const queueConsumerNotFound = defineApiError('queueConsumerNotFound', {
  code: 11005, status: 404, message: () => 'Consumer does not exist',
})
export const queueInvalidRequest = defineApiError('queueInvalidRequest', {
  code: 11006, status: 400, message: (why: string) => why,
})
export const queueMessageTooLarge = defineApiError('queueMessageTooLarge', {
  code: 11007, status: 413, message: (why: string) => why,
})
export const queueNameTaken = defineApiError('queueNameTaken', {
  code: 11009, status: 409, message: (name: string) => `A queue named '${name}' already exists`,
})
