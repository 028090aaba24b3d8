import type { StartupCandidate, StartupRunner } from '../../runtime/startup-candidate.js'
import type { ExportShape } from '../../shared/protocol.js'
import { noEventHandlers, scriptValidation } from '../../domain/errors.js'
import { KNOWN_HANDLERS } from './javascript.js'

/** Events workerd never counts as handlers: they are dispatched by the runtime itself. */
const IGNORED = new Set(['alarm', 'unhandledrejection', 'rejectionhandled'])

/**
 * Runs the candidate's startup as Cloudflare's validator does and returns the handlers its main
 * module registers (what the version reports as `handlers`). Refuses, with Cloudflare's codes and
 * words: a top level that throws (10021, the exception as workerd prints it), one that never ends
 * (10021), a service worker that adds no event listener (10021), a module that exports no handler,
 * Durable Object class or entrypoint (10068). Without a runner (no edge), nothing is checked.
 */
export async function checkStartup(
  runner: StartupRunner | undefined,
  candidate: StartupCandidate,
): Promise<string[] | undefined> {
  if (!runner || candidate.version.mainModule === '') return undefined
  const outcome = await runner.run(candidate)
  if (!outcome.ok) {
    if ('limit' in outcome) throw scriptValidation('Script startup exceeded CPU time limit.')
    throw scriptValidation(outcome.error)
  }
  if ('listeners' in outcome) {
    const events = outcome.listeners.filter((e) => !IGNORED.has(e))
    if (events.length === 0) throw scriptValidation('No event handlers were registered. This script does nothing.')
    return knownHandlers(events)
  }
  const defaults = outcome.exports.default
  const registered = Object.entries(outcome.exports).flatMap(([name, shape]) => handlersOf(shape, name === 'default'))
  if (registered.length === 0) throw noEventHandlers()
  return knownHandlers(defaults ? handlersOf(defaults, true) : [])
}

/**
 * What one export registers, by workerd's rules: a handler object its methods, an entrypoint or
 * workflow class its prototype's methods, a named Durable Object class (or any other named class)
 * itself. A class as the default export that is not an entrypoint serves nothing.
 */
function handlersOf(shape: ExportShape, isDefault: boolean): string[] {
  switch (shape.kind) {
    case 'object':
    case 'entrypoint':
    case 'workflow':
      return shape.members.filter((m) => !IGNORED.has(m))
    case 'durable-object':
    case 'class':
      return isDefault ? [] : ['class']
    case 'other':
      return []
  }
}

const knownHandlers = (names: string[]): string[] => KNOWN_HANDLERS.filter((h) => names.includes(h))
