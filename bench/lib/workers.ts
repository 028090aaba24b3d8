// The Workers the bench runs, as source text. The same code runs on Workerhive and in the static
// workerd baselines, so the only difference measured is what sits around it.

/** A hello world that names itself, so no two Workers have identical source. */
export const helloWorker = (name: string): string =>
  `export default { fetch() { return new Response(${JSON.stringify(`Hello world from ${name}`)}) } }\n`

/** Answers with its version tag: tells which deploy served a request. */
export const versionedWorker = (tag: string): string =>
  `export default { fetch() { return new Response(${JSON.stringify(tag)}) } }\n`

/** The hostile tenant: never yields. */
export const SPIN_WORKER = 'export default { fetch() { while (true) {} } }\n'

/**
 * `GET /kv?key=k` reads through the KV binding, `PUT /kv?key=k` writes the body; `&reads=N` reads
 * the key N times in a row (N = 0: no KV call at all, the same request otherwise), so the cost of
 * one get inside a Worker is the difference to `reads=0`, divided by N.
 */
export const KV_WORKER = `export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    const key = url.searchParams.get('key')
    if (request.method === 'PUT') {
      await env.KV.put(key, await request.text())
      return new Response('stored')
    }
    const reads = Number(url.searchParams.get('reads') ?? 1)
    let value = 'no read'
    for (let i = 0; i < reads; i++) value = await env.KV.get(key)
    return value === null ? new Response('missing', { status: 404 }) : new Response(value)
  },
}
`

/** The account's dispatch Worker: the user Worker is named by the first path segment. */
export const DISPATCH_WORKER = `export default {
  async fetch(request, env) {
    const name = new URL(request.url).pathname.split('/')[1]
    try {
      return await env.dispatcher.get(name).fetch(request)
    } catch (e) {
      const missing = e.message.startsWith('Worker not found')
      return new Response(missing ? 'no such worker' : 'dispatch failed: ' + e.message, { status: missing ? 404 : 500 })
    }
  },
}
`

/** The static two-Worker baseline's dispatch Worker: same routing, a service binding instead of get(). */
export const STATIC_DISPATCH_WORKER = `export default {
  async fetch(request, env) {
    const name = new URL(request.url).pathname.split('/')[1]
    if (name !== 'hello') return new Response('no such worker', { status: 404 })
    return env.USER.fetch(request)
  },
}
`

/** The loaded-dispatch baseline's dispatch Worker: same routing, the name in a header to the host's gateway. */
export const LOADED_DISPATCH_WORKER = `export default {
  async fetch(request, env) {
    const name = new URL(request.url).pathname.split('/')[1]
    if (name !== 'hello') return new Response('no such worker', { status: 404 })
    const headers = new Headers(request.headers)
    headers.set('x-dispatch-to', name)
    return env.GATEWAY.fetch(new Request(request, { headers }))
  },
}
`

/**
 * A bundle-like Worker of about `bytes` bytes: many module-internal functions (what bundlers emit)
 * and one export. performance-notes §3.2: the same size as `export`ed functions costs ~8× more, so
 * the padding shape matters; `seed` makes every bundle's source distinct.
 */
export function paddedBundle(bytes: number, seed: string): string {
  const id = seed.replace(/[^A-Za-z0-9_]/g, '_')
  const parts: string[] = []
  let size = 0
  for (let i = 0; size < bytes; i++) {
    const fn =
      `function f_${id}_${i}(a, b) { const x = a * ${i} + b; ` +
      `return x > ${i} ? x - ${i} : String(x) + ${JSON.stringify(id)} }\n`
    parts.push(fn)
    size += fn.length
  }
  parts.push(`export default { fetch() { return new Response('bundle ' + f_${id}_1(1, 2)) } }\n`)
  return parts.join('')
}

/** A D1 point read: the row whose id the query names, through env.DB. */
export const D1_WORKER = `export default {
  async fetch(request, env) {
    const id = Number(new URL(request.url).searchParams.get('id'))
    const row = await env.DB.prepare('SELECT body FROM items WHERE id = ?').bind(id).first()
    return row === null ? new Response('missing', { status: 404 }) : new Response(row.body)
  },
}
`

/** Reads an R2 object whole through the binding and answers its size (bench: R2 gets). */
export const R2_WORKER = `export default {
  async fetch(request, env) {
    const o = await env.B.get(new URL(request.url).searchParams.get('key'))
    if (!o) return new Response('missing', { status: 404 })
    return new Response(String((await o.arrayBuffer()).byteLength))
  },
}
`
