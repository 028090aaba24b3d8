import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { assetConfigOf } from '../../src/assets/config.js'
import { applyHeaderRules, parseHeaders } from '../../src/assets/headers.js'
import { htmlIntent, notFoundIntent } from '../../src/assets/intent.js'
import { applyRedirects, parseRedirects } from '../../src/assets/redirects.js'
import { globMatches } from '../../src/shared/glob.js'

const FILES = new Set(['/index.html', '/about.html', '/blog/index.html', '/app.js', '/404.html', '/docs/404.html'])
/** Each file's hash is its path: every file has its own content. */
const exists = (p: string) => (FILES.has(p) ? p : undefined)
const show = (i: ReturnType<typeof htmlIntent>) => (!i ? 'none' : i.kind === 'serve' ? `serve ${i.file}` : `307 ${i.to}`)

describe('assets: html_handling', () => {
  const table = (mode: Parameters<typeof htmlIntent>[1], cases: Record<string, string>) => {
    for (const [path, expected] of Object.entries(cases)) assert.equal(show(htmlIntent(path, mode, exists)), expected, `${mode} ${path}`)
  }

  it('auto-trailing-slash: files without .html, directories with a slash', () => {
    table('auto-trailing-slash', {
      '/': 'serve /index.html',
      '/index.html': '307 /',
      '/about': 'serve /about.html',
      '/about.html': '307 /about',
      '/about/': '307 /about',
      '/blog': '307 /blog/',
      '/blog/': 'serve /blog/index.html',
      '/blog/index.html': '307 /blog/',
      '/app.js': 'serve /app.js',
      '/nope': 'none',
    })
  })

  it('force-trailing-slash: every page ends with a slash', () => {
    table('force-trailing-slash', {
      '/': 'serve /index.html',
      '/about': '307 /about/',
      '/about/': 'serve /about.html',
      '/about.html': '307 /about/',
      '/blog': '307 /blog/',
      '/blog/index.html': '307 /blog/',
      '/app.js': 'serve /app.js',
    })
  })

  it('drop-trailing-slash: no page ends with a slash but the root', () => {
    table('drop-trailing-slash', {
      '/': 'serve /index.html',
      '/index.html': '307 /',
      '/about': 'serve /about.html',
      '/about/': '307 /about',
      '/blog': 'serve /blog/index.html',
      '/blog/': '307 /blog',
      '/blog/index.html': '307 /blog',
    })
  })

  it('redirects only when the destination serves the same content, else looks the path up as it is', () => {
    const files = new Map([['/x.html', 'h1'], ['/x/index.html', 'h2'], ['/y.html', 'h3'], ['/y', 'h4']])
    const hashOf = (p: string) => files.get(p)
    // /x/ serves another file than /x.html: no redirect there, /x.html is served as it is.
    assert.equal(show(htmlIntent('/x.html', 'force-trailing-slash', hashOf)), 'serve /x.html')
    assert.equal(show(htmlIntent('/x/', 'force-trailing-slash', hashOf)), 'serve /x/index.html')
    // /y is a file of its own: /y.html is not redirected to it.
    assert.equal(show(htmlIntent('/y.html', 'auto-trailing-slash', hashOf)), 'serve /y.html')
    assert.equal(show(htmlIntent('/y', 'auto-trailing-slash', hashOf)), 'serve /y')
    // A redirect that is not safe passes on to the next one of the chain (Cloudflare's order).
    const both = new Map([['/foo.html', 'a'], ['/foo', 'b'], ['/foo/index.html', 'c']])
    assert.equal(show(htmlIntent('/foo.html', 'auto-trailing-slash', (p) => both.get(p))), '307 /foo/')
    const drop = new Map([['/foo.html', 'a'], ['/foo/index.html', 'c']])
    assert.equal(show(htmlIntent('/foo/index', 'drop-trailing-slash', (p) => drop.get(p))), '307 /foo')
  })

  it('none: exact paths only', () => {
    table('none', { '/': 'none', '/index.html': 'serve /index.html', '/about': 'none' })
  })

  it('not_found_handling: the nearest 404.html, or the SPA shell', () => {
    assert.deepEqual(notFoundIntent('/docs/a/b', '404-page', exists), { kind: 'serve', file: '/docs/404.html', status: 404 })
    assert.deepEqual(notFoundIntent('/x/y', '404-page', exists), { kind: 'serve', file: '/404.html', status: 404 })
    assert.deepEqual(notFoundIntent('/x/y', 'single-page-application', exists), { kind: 'serve', file: '/index.html', status: 200 })
    assert.equal(notFoundIntent('/x/y', 'none', exists), undefined)
  })
})

describe('assets: _redirects, _headers and run_worker_first', () => {
  it('parses rules with Cloudflare defaults and skips what is not a rule', () => {
    const rules = parseRedirects('# comment\n/a /b\n/c /d 301 # trailing\nbroken\n/e https://x.example/ 200\n/a /dup\n/f /g 418\n')
    assert.deepEqual(rules, [
      { from: '/a', to: '/b', status: 302 },
      { from: '/c', to: '/d', status: 301 },
    ])
  })

  it('matches splats and placeholders, keeping the query', () => {
    const rules = parseRedirects('/blog/* /posts/:splat 301\n/users/:id/profile /u/:id\n/old https://new.example/path\n/app/* /shell.html 200\n/* /index.html 200')
    const at = (path: string) => applyRedirects(rules, new URL(`https://site.example${path}`))
    assert.deepEqual(at('/blog/2026/x?ref=1'), { kind: 'redirect', status: 301, location: '/posts/2026/x?ref=1' })
    assert.deepEqual(at('/users/42/profile'), { kind: 'redirect', status: 302, location: '/u/42' })
    assert.deepEqual(at('/old'), { kind: 'redirect', status: 302, location: 'https://new.example/path' })
    assert.deepEqual(at('/app/settings'), { kind: 'rewrite', pathname: '/shell.html' })
    assert.equal(at('/other'), undefined, '`/* /index.html` would loop: dropped')
    // A splat cannot turn a relative target into another host, however it is spelled.
    const open = parseRedirects('/go/* /:splat 301\n/to/* :splat 302')
    const from = (path: string) => applyRedirects(open, new URL(`https://site.example${path}`))
    assert.deepEqual(from('/go//evil.example/x'), { kind: 'redirect', status: 301, location: '/evil.example/x' })
    assert.deepEqual(from('/to/https://evil.example/x'), { kind: 'redirect', status: 302, location: '/https:/evil.example/x' })
    assert.deepEqual(from('/to//evil.example'), { kind: 'redirect', status: 302, location: '/evil.example' })
  })

  it('refuses patterns that could backtrack, and header lines no HTTP message can carry', () => {
    assert.deepEqual(parseRedirects('/a/*/b/* /x\n/:a:b /y\n/x-:id /z\n/:a/:a /v\n/bad http://[::1 301\n/ok/:id /w'), [
      { from: '/ok/:id', to: '/w', status: 302 },
    ])
    const rules = parseHeaders('/*\n  Bad Name: x\n  Good: y\n  X-Cafe: caf\u00e9 \u2615\n  ! Also Bad\n/:a:b\n  Skipped: z\n')
    assert.deepEqual(rules, [{ path: '/*', set: [['good', 'y']], unset: [] }])
  })

  it('applies every matching _headers rule: unset first, then set or append', () => {
    const rules = parseHeaders('/*\n  X-Frame-Options: DENY\n  X-Tag: a\n/secure/:page\n  ! X-Frame-Options\n  X-Tag: :page\n')
    const headers = new Headers({ 'x-frame-options': 'SAMEORIGIN' })
    applyHeaderRules(rules, new URL('https://s.example/secure/login'), headers)
    assert.equal(headers.get('x-frame-options'), null)
    assert.equal(headers.get('x-tag'), 'a, login')
  })

  it('matches run_worker_first globs without backtracking', () => {
    assert.equal(globMatches('/api/*', '/api/x/y'), true)
    assert.equal(globMatches('/api/*', '/apix'), false)
    assert.equal(globMatches('*.png', '/img/a.png'), true)
    assert.equal(globMatches('/a*b*c', '/a-b-c'), true)
    assert.equal(globMatches('/a*b*c', '/a-c-b'), false)
    assert.equal(globMatches('/exact', '/exact'), true)
    // A pathological rule against a long path: linear, so this returns at once.
    assert.equal(globMatches('/' + '*a'.repeat(40) + '*b', '/' + 'a'.repeat(5000)), false)
  })

  it('validates run_worker_first rules', () => {
    assert.deepEqual(assetConfigOf({ run_worker_first: ['/api/*', '!/api/docs/*'] }), {
      htmlHandling: 'auto-trailing-slash',
      notFoundHandling: 'none',
      runWorkerFirst: { worker: ['/api/*'], asset: ['/api/docs/*'] },
      headers: [],
      redirects: [],
    })
    assert.deepEqual(assetConfigOf({ run_worker_first: ['!/static/*'] }), {
      problem: "run_worker_first needs at least one rule that is not negated ('!/…')",
    })
    assert.deepEqual(assetConfigOf({ run_worker_first: ['/a', '/a'] }), { problem: 'run_worker_first rules must be unique' })
  })
})
