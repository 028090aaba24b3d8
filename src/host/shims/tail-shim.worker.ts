// Every module Worker exports the tail entrypoint of isolate/tail.ts, through which the host calls
// its tail() handler under any compatibility date.
import { TAIL_ENTRYPOINT } from '../../shared/protocol.js'
import { OWN } from './main-module.worker.js'

/** The module's path among the loaded Worker's modules. */
export const TAIL_SHIM_PATH = `${OWN}tail.js`

/**
 * Appended to the Worker's main module. The shim imports that main module back for its default
 * export (after any env wrapping the main module does); the cycle is safe because the default
 * export is only read when tail() runs.
 */
export const tailShimExport = `export { ${TAIL_ENTRYPOINT} } from "./tail.js"\n`
