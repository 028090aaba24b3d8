import { performance } from 'node:perf_hooks'
import { parseBindings, type Binding } from '../../bindings/index.js'
import type { ModuleContent, ModuleType } from '../../storage/store.js'
import { malformedBody, scriptTooLarge, scriptValidation } from '../../domain/errors.js'
import { detectHandlers, parseJavaScript, type JsFlavour } from './javascript.js'
import { describeZodError, UploadMetadataSchema, type UploadMetadata } from './metadata.js'
import { isJavaScript, mediaType, moduleTypeFromName, moduleTypeOf } from './module-types.js'
import { readMultipart, partText } from './multipart.js'
import { readBodyLimited } from './read-body.js'

/** A script upload, parsed and checked; nothing about the account or an earlier version yet. */
export interface ScriptUpload {
  format: 'modules' | 'service-worker'
  mainModule: string
  modules: ModuleContent[]
  metadata: UploadMetadata
  /** The metadata's bindings, each of a known kind with the fields it needs (inherit included). */
  bindings: Binding[]
  handlers: string[]
  /** Milliseconds spent parsing and validating the code: what Cloudflare reports as startup time. */
  startupTimeMs: number
}

/** Room for the metadata part and multipart framing on top of the script size limit. */
const MULTIPART_ALLOWANCE = 1024 * 1024

/** The name a raw service-worker upload's script is stored under (it has no part name). */
export const SERVICE_WORKER_MODULE = 'worker.js'

/** The main module of an assets-only Worker: none. */
export const ASSETS_ONLY = ''

/** Headers that name the main part when there is no metadata (Cloudflare's `/content` upload). */
const MAIN_MODULE_HEADER = 'cf-worker-main-module-part'
const BODY_PART_HEADER = 'cf-worker-body-part'

/**
 * Parses a Worker upload: `application/javascript` (a raw service-worker script, as the seed's curl
 * sends it) or `multipart/form-data` with a `metadata` part and one part per module, each module
 * named by its part name (see moduleName for the SDKs' `files[]`).
 * Every JavaScript part must parse; sizes count all modules together.
 */
export async function parseScriptUpload(request: Request, opts: { maxBytes: number }): Promise<ScriptUpload> {
  const contentType = request.headers.get('content-type') ?? ''
  const media = mediaType(contentType)
  if (media === 'multipart/form-data') {
    const form = await readMultipart(request, opts.maxBytes + MULTIPART_ALLOWANCE, opts.maxBytes)
    const started = performance.now()
    const metadata = await readMetadata(form.get('metadata'))
    const main = mainPart(metadata, request.headers)
    const modules = await readModules(form, main)
    return finish({ metadata, main, modules, started, maxBytes: opts.maxBytes })
  }
  if (media === 'application/javascript' || media === 'text/javascript') {
    const body = await readBodyLimited(request, opts.maxBytes, opts.maxBytes)
    const started = performance.now()
    const modules = [{ name: SERVICE_WORKER_MODULE, type: 'commonjs' as const, content: body }]
    const main = { name: SERVICE_WORKER_MODULE, format: 'service-worker' as const }
    const metadata = UploadMetadataSchema.parse({})
    return finish({ metadata, main, modules, started, maxBytes: opts.maxBytes })
  }
  throw malformedBody(
    `unsupported Content-Type '${contentType || '(none)'}': send multipart/form-data with a metadata part, ` +
      'or application/javascript with a service-worker script',
  )
}

interface MainPart {
  name: string
  format: 'modules' | 'service-worker'
}

function finish(input: {
  metadata: UploadMetadata
  main: MainPart
  modules: ModuleContent[]
  started: number
  maxBytes: number
}): ScriptUpload {
  const { metadata, main, modules } = input
  const size = modules.reduce((n, m) => n + m.content.byteLength, 0)
  if (size > input.maxBytes) throw scriptTooLarge(size, input.maxBytes)
  let handlers: string[] = main.name === ASSETS_ONLY ? [] : ['fetch']
  for (const m of modules) {
    const isMain = m.name === main.name
    const problem = contentProblem(m, isMain ? main.format : undefined)
    if (typeof problem === 'string') throw scriptValidation(problem)
    if (isMain && problem) handlers = problem.handlers
  }
  const parsed = parseBindings(metadata.bindings)
  if ('problem' in parsed) throw scriptValidation(parsed.problem)
  return {
    format: main.format,
    mainModule: main.name,
    modules,
    metadata,
    bindings: parsed.bindings,
    handlers,
    startupTimeMs: Math.round(performance.now() - input.started),
  }
}

/** Why a module would not load, or for JavaScript the handlers it registers. */
function contentProblem(
  m: ModuleContent,
  mainFormat: MainPart['format'] | undefined,
): string | { handlers: string[] } | undefined {
  switch (m.type) {
    case 'esm':
    case 'commonjs': {
      const flavour: JsFlavour = mainFormat === 'service-worker' ? 'service-worker' : m.type
      const result = parseJavaScript(new TextDecoder().decode(m.content), m.name, flavour)
      if ('problem' in result) return result.problem
      return { handlers: detectHandlers(result.program, flavour) }
    }
    case 'json':
      try {
        JSON.parse(new TextDecoder().decode(m.content))
        return undefined
      } catch (e) {
        return `Invalid JSON in module '${m.name}': ${(e as Error).message}`
      }
    case 'wasm':
      if (isWasm(m.content)) return undefined
      return `Module '${m.name}' is not a WebAssembly module (no \\0asm header)`
    case 'text':
    case 'data':
    case 'sourcemap':
      return undefined
  }
}

/** A WebAssembly binary starts with `\0asm` and version 1; compiling is left to the runtime. */
const isWasm = (b: Uint8Array): boolean =>
  b.length >= 8 && b[0] === 0 && b[1] === 0x61 && b[2] === 0x73 && b[3] === 0x6d && b[4] === 1

async function readMetadata(part: ReturnType<FormData['get']>): Promise<UploadMetadata> {
  if (part === null) return UploadMetadataSchema.parse({})
  const text = await partText(part)
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (e) {
    throw malformedBody(`the metadata part is not valid JSON (${(e as Error).message})`)
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw malformedBody('the metadata part must be a JSON object')
  const parsed = UploadMetadataSchema.safeParse(raw)
  if (!parsed.success) throw scriptValidation(describeZodError(parsed.error, 'metadata'))
  return parsed.data
}

function mainPart(metadata: UploadMetadata, headers: Headers): MainPart {
  const mainModule = metadata.main_module ?? headers.get(MAIN_MODULE_HEADER) ?? undefined
  const bodyPart = metadata.body_part ?? headers.get(BODY_PART_HEADER) ?? undefined
  if (mainModule !== undefined && bodyPart !== undefined)
    throw scriptValidation(
      'metadata names both main_module and body_part: an upload is either ES modules or a service worker',
    )
  if (mainModule !== undefined) return { name: mainModule, format: 'modules' }
  if (bodyPart !== undefined) return { name: bodyPart, format: 'service-worker' }
  // An assets-only Worker (wrangler sends the metadata part alone).
  if (metadata.assets !== undefined || metadata.keep_assets === true) return { name: ASSETS_ONLY, format: 'modules' }
  throw scriptValidation(
    'No main module: set metadata.main_module (ES modules) or metadata.body_part (service worker) ' +
      'to the name of an uploaded part',
  )
}

/** Form fields that carry a list of files: the SDKs send `files` (or `files[]`) once per module. */
const FILE_LIST_FIELDS = new Set(['files', 'files[]'])

/**
 * A module is named by its part name, as Cloudflare's upload docs say (`main_module` names a part),
 * whatever filename the part carries. Parts of a file list (`files[]`, one field for several parts)
 * have no name of their own: the SDKs name each module by its filename there.
 */
function moduleName(field: string, value: File | string, listFields: Set<string>): string {
  if (typeof value === 'string' || !value.name || !listFields.has(field)) return field
  return value.name
}

async function readModules(form: FormData, main: MainPart): Promise<ModuleContent[]> {
  const modules: ModuleContent[] = []
  const seen = new Set<string>()
  const fields = [...form.keys()]
  const listFields = new Set(fields.filter((f, i) => FILE_LIST_FIELDS.has(f) || fields.indexOf(f) !== i))
  for (const [field, value] of form.entries()) {
    if (field === 'metadata') continue
    const name = moduleName(field, value, listFields)
    if (seen.has(name))
      throw scriptValidation(`Two parts are both named '${name}': module names must be unique`)
    seen.add(name)
    const content =
      typeof value === 'string' ? new TextEncoder().encode(value) : new Uint8Array(await value.arrayBuffer())
    const contentType = typeof value === 'string' ? '' : value.type
    modules.push({ name, type: partType(name, contentType, main), content })
  }
  const which = main.format === 'modules' ? 'main_module' : 'body_part'
  if (main.name !== ASSETS_ONLY && !seen.has(main.name))
    throw scriptValidation(
      `No such module "${main.name}": metadata.${which} names a part that was not uploaded`,
    )
  return modules
}

function partType(name: string, contentType: string, main: MainPart): ModuleType {
  const declared = contentType === '' ? undefined : moduleTypeOf(contentType)
  if (contentType !== '' && declared === undefined)
    throw scriptValidation(`Part '${name}' has an unsupported content type '${mediaType(contentType)}'`)
  if (name !== main.name) return declared ?? moduleTypeFromName(name)
  const type = declared ?? 'esm'
  if (!isJavaScript(type))
    throw scriptValidation(`The main module '${name}' must be JavaScript, but its content type says ${type}`)
  // The entry of a modules upload is loaded as an ES module whichever JavaScript type it was sent
  // as; a service worker's body part is a classic script, stored as such.
  return main.format === 'modules' ? 'esm' : 'commonjs'
}
