import type { ModuleType } from '../../storage/store.js'

/** Cloudflare's part content types and the module types they upload. */
const BY_CONTENT_TYPE: Readonly<Record<string, ModuleType>> = {
  'application/javascript+module': 'esm',
  'text/javascript+module': 'esm',
  'application/javascript': 'commonjs',
  'text/javascript': 'commonjs',
  'application/wasm': 'wasm',
  'text/plain': 'text',
  'application/octet-stream': 'data',
  'application/json': 'json',
  // Stored so the script can be downloaded as uploaded; never loaded as code.
  'application/source-map': 'sourcemap',
}

const CONTENT_TYPE_OF: Readonly<Record<ModuleType, string>> = {
  esm: 'application/javascript+module',
  commonjs: 'application/javascript',
  wasm: 'application/wasm',
  text: 'text/plain',
  data: 'application/octet-stream',
  json: 'application/json',
  sourcemap: 'application/source-map',
}

/** The media type without parameters, lowercased: `Text/JavaScript; charset=utf-8` → `text/javascript`. */
export const mediaType = (contentType: string): string => contentType.split(';')[0]!.trim().toLowerCase()

export const moduleTypeOf = (contentType: string): ModuleType | undefined =>
  BY_CONTENT_TYPE[mediaType(contentType)]

export const contentTypeOf = (type: ModuleType): string => CONTENT_TYPE_OF[type]

/**
 * A part sent without a content type (a plain form field, or a file whose client set none) is typed
 * by its name's extension, the way wrangler itself picks types.
 */
export function moduleTypeFromName(name: string): ModuleType {
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase()
  switch (ext) {
    case 'js':
    case 'mjs':
      return 'esm'
    case 'cjs':
      return 'commonjs'
    case 'wasm':
      return 'wasm'
    case 'json':
      return 'json'
    case 'map':
      return 'sourcemap'
    case 'txt':
    case 'html':
    case 'css':
    case 'csv':
    case 'md':
      return 'text'
    default:
      return 'data'
  }
}

export const isJavaScript = (type: ModuleType): boolean => type === 'esm' || type === 'commonjs'
