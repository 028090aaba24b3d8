import { parse, type Node } from 'acorn'
import { CPU_CHECKPOINT } from '../../shared/protocol.js'

/**
 * Inserts a CPU checkpoint (a call to the isolate's meter, see src/host/shims/cpu-meter.worker.ts) at the
 * start of every loop iteration and every function body of a JavaScript module. workerd cannot
 * interrupt a running isolate for us (its limit enforcer is a no-op and the inspector needs the
 * isolate's own thread), so the only way to stop JS that never yields is for the JS to check. Line
 * numbers are kept (nothing adds a newline), so stack traces still point at the customer's lines.
 *
 * Code that does not parse (before or after) is returned as it was: the watchdog remains the
 * backstop for it.
 */
export function withCpuCheckpoints(code: string, flavour: 'esm' | 'commonjs'): string {
  const options = {
    ecmaVersion: 'latest',
    sourceType: flavour === 'esm' ? 'module' : 'script',
    allowReturnOutsideFunction: flavour === 'commonjs',
    allowHashBang: true,
  } as const
  let program: Node
  try {
    program = parse(code, options)
  } catch {
    return code
  }
  const call = `${CPU_CHECKPOINT}();`
  // Insertions in walk order: an opener is pushed before its children, a closer after them, so a
  // stable sort by position nests them correctly where they meet.
  const edits: Array<{ at: number; text: string }> = []
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) walk(child)
      return
    }
    if (!isNode(node)) return
    const n = node as Node & Record<string, unknown>
    switch (n.type) {
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement':
      case 'WhileStatement':
      case 'DoWhileStatement': {
        const body = n.body as Node & { body?: unknown }
        for (const [key, value] of Object.entries(n)) if (key !== 'body') walk(value)
        if (body.type === 'BlockStatement') {
          edits.push({ at: body.start + 1, text: call })
          walk(body)
        } else {
          edits.push({ at: body.start, text: `{${call}` })
          walk(body)
          edits.push({ at: body.end, text: '}' })
        }
        return
      }
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression': {
        const body = n.body as Node & { body?: Array<Node & { directive?: string }> }
        walk(n.params)
        if (body.type === 'BlockStatement') {
          // After a directive prologue ("use strict"), which must stay first to count.
          const statements = body.body ?? []
          let i = 0
          while (i < statements.length && typeof statements[i]!.directive === 'string') i++
          edits.push({ at: i === 0 ? body.start + 1 : statements[i - 1]!.end, text: call })
          walk(body)
        } else {
          edits.push({ at: body.start, text: `(${CPU_CHECKPOINT}(),` })
          walk(body)
          edits.push({ at: body.end, text: ')' })
        }
        return
      }
    }
    for (const value of Object.values(n)) if (typeof value === 'object' && value !== null) walk(value)
  }
  walk(program)
  if (edits.length === 0) return code
  const ordered = edits.map((e, i) => ({ ...e, i })).sort((a, b) => a.at - b.at || a.i - b.i)
  let out = ''
  let from = 0
  for (const e of ordered) {
    out += code.slice(from, e.at) + e.text
    from = e.at
  }
  out += code.slice(from)
  // The upload's startup check ran the code as written: never serve what might not parse.
  try {
    parse(out, options)
  } catch {
    return code
  }
  return out
}

const isNode = (v: unknown): v is Node =>
  typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string' && typeof (v as { start?: unknown }).start === 'number'
