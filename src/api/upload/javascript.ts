import {
  parse,
  type Expression,
  type ExportDefaultDeclaration,
  type MethodDefinition,
  type Program,
  type Property,
  type PropertyDefinition,
  type SpreadElement,
  type StaticBlock,
} from 'acorn'

/** How a JavaScript part runs: an ES module, a CommonJS module, or a service-worker script. */
export type JsFlavour = 'esm' | 'commonjs' | 'service-worker'

/**
 * Parses a part the way workerd would load it, so a syntax error is refused at the door with the
 * file, line and column instead of failing on the first request.
 */
export function parseJavaScript(
  code: string,
  file: string,
  flavour: JsFlavour,
): { program: Program } | { problem: string } {
  try {
    const program = parse(code, {
      ecmaVersion: 'latest',
      sourceType: flavour === 'esm' ? 'module' : 'script',
      // workerd wraps a CommonJS module in a function, where a top-level `return` is legal.
      allowReturnOutsideFunction: flavour === 'commonjs',
      allowHashBang: true,
    })
    return { program }
  } catch (e) {
    if (e instanceof SyntaxError) return { problem: `Uncaught SyntaxError: ${e.message} in ${file}` }
    throw e
  }
}

/** Handlers Cloudflare reports, in the order it lists them. */
export const KNOWN_HANDLERS = ['fetch', 'scheduled', 'queue', 'email', 'tail', 'trace'] as const

/**
 * The event handlers a main module registers: the keys of an ES module's default export, or the
 * events of a service worker's top-level `addEventListener` calls. Shapes it cannot see through
 * (re-exports, computed keys) fall back to `fetch`, the common case.
 */
export function detectHandlers(program: Program, flavour: JsFlavour): string[] {
  const names = flavour === 'esm' ? defaultExportKeys(program) : listenedEvents(program)
  if (names === undefined) return ['fetch']
  return KNOWN_HANDLERS.filter((h) => names.has(h))
}

function listenedEvents(program: Program): Set<string> | undefined {
  const events = new Set<string>()
  for (const stmt of program.body) {
    if (stmt.type !== 'ExpressionStatement' || stmt.expression.type !== 'CallExpression') continue
    const { callee, arguments: args } = stmt.expression
    const fn = callee.type === 'MemberExpression' ? callee.property : callee
    const first = args[0]
    if (fn.type === 'Identifier' && fn.name === 'addEventListener' && first?.type === 'Literal') {
      if (typeof first.value === 'string') events.add(first.value)
    }
  }
  return events.size > 0 ? events : undefined
}

function defaultExportKeys(program: Program): Set<string> | undefined {
  const exported = program.body.find(
    (s): s is ExportDefaultDeclaration => s.type === 'ExportDefaultDeclaration',
  )
  if (!exported) return undefined
  let target: ExportDefaultDeclaration['declaration'] | Expression | undefined = exported.declaration
  if (target.type === 'Identifier') target = topLevelValue(program, target.name)
  if (target?.type === 'ObjectExpression') return memberNames(target.properties)
  if (target?.type === 'ClassDeclaration' || target?.type === 'ClassExpression')
    return memberNames(target.body.body.filter((m) => !('static' in m && m.static)))
  return undefined
}

/** The initialiser of a top-level `const name = …` or the class `class name {}`. */
function topLevelValue(
  program: Program,
  name: string,
): Expression | ExportDefaultDeclaration['declaration'] | undefined {
  for (const stmt of program.body) {
    if (stmt.type === 'ClassDeclaration' && stmt.id.name === name) return stmt
    if (stmt.type !== 'VariableDeclaration') continue
    for (const d of stmt.declarations) {
      if (d.id.type === 'Identifier' && d.id.name === name && d.init) return d.init
    }
  }
  return undefined
}

function memberNames(
  members: Array<Property | SpreadElement | MethodDefinition | PropertyDefinition | StaticBlock>,
): Set<string> {
  const names = new Set<string>()
  for (const m of members) {
    if (m.type === 'SpreadElement' || m.type === 'StaticBlock' || m.computed) continue
    if (m.key.type === 'Identifier') names.add(m.key.name)
    else if (m.key.type === 'Literal' && typeof m.key.value === 'string') names.add(m.key.value)
  }
  return names
}
