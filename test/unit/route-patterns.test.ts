import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  compareSpecificity,
  hostnameProblem,
  matchesPattern,
  mostSpecificMatch,
  normaliseHostname,
  parseRoutePattern,
  patternInZone,
  RouteTable,
  type RoutePattern,
} from '../../src/shared/route-patterns.js'

const parse = (source: string): RoutePattern => {
  const parsed = parseRoutePattern(source)
  if (!parsed.ok) throw new Error(`${source}: ${parsed.problem}`)
  return parsed.pattern
}
const target = (url: string) => {
  const u = new URL(url)
  const scheme = u.protocol === 'https:' ? ('https' as const) : ('http' as const)
  return { scheme, hostname: u.hostname, pathAndQuery: u.pathname + u.search }
}
const matches = (pattern: string, url: string) => matchesPattern(parse(pattern), target(url))

/** Which of `patterns` handles `url`, by Cloudflare's precedence. */
const winner = (patterns: string[], url: string) =>
  mostSpecificMatch(patterns.map((p) => ({ pattern: parse(p) })), target(url))?.pattern.source

describe('route pattern parsing', () => {
  it('accepts the documented forms', () => {
    for (const p of [
      'example.com',
      'example.com/*',
      '*.example.com/*',
      '*example.com/*',
      'shop.example.com/api/*',
      'https://*.example.com/images/*',
      'http://example.com/',
      '*/*',
      'example.com/path*',
      '*-shop.example.com/*',
    ]) {
      assert.equal(parseRoutePattern(p).ok, true, p)
    }
  })

  it('splits scheme, host and path', () => {
    assert.deepEqual(parse('HTTPS://*.Example.COM/Images/*'), {
      source: 'https://*.example.com/Images/*',
      scheme: 'https',
      host: '.example.com',
      hostWildcard: true,
      path: '/Images/',
      pathWildcard: true,
    })
    assert.deepEqual(parse('example.com'), {
      source: 'example.com',
      scheme: undefined,
      host: 'example.com',
      hostWildcard: false,
      path: '/',
      pathWildcard: false,
    })
  })

  it('rejects what Cloudflare rejects, saying why', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /empty/],
      ['example.com/*.jpg', /wildcard/],
      ['example.com/?foo=*', /query/],
      ['example.com/a?b', /query/],
      ['example.com/a#b', /query/],
      ['ex*ample.com/*', /wildcard/],
      ['example.com*', /wildcard/],
      ['**.example.com/*', /wildcard/],
      ['ftp://example.com/*', /http/],
      ['example.com:8080/*', /port/],
      ['/w1', /hostname/],
      [' example.com/*', /whitespace/],
      ['example.com/a b', /whitespace/],
      ['-bad.example.com/*', /not a valid hostname/],
      ['exa..mple.com/*', /not a valid hostname/],
      ['*.exa!mple.com/*', /not a valid/],
    ]
    for (const [p, why] of cases) {
      const parsed = parseRoutePattern(p)
      assert.equal(parsed.ok, false, p)
      if (!parsed.ok) assert.match(parsed.problem, why, p)
    }
  })

  it('validates hostnames for zone names too', () => {
    assert.equal(hostnameProblem('example.com'), undefined)
    assert.equal(hostnameProblem('xn--bcher-kva.example'), undefined)
    assert.match(hostnameProblem('a'.repeat(64) + '.com')!, /not a valid hostname/)
    assert.match(hostnameProblem('')!, /empty/)
    assert.match(hostnameProblem(`${'a.'.repeat(127)}com`)!, /longer than 253/)
  })
})

describe('route pattern zones', () => {
  it('requires every matched host to lie in the zone', () => {
    assert.equal(patternInZone(parse('example.com/*'), 'example.com'), true)
    assert.equal(patternInZone(parse('shop.example.com/*'), 'example.com'), true)
    assert.equal(patternInZone(parse('*.example.com/*'), 'example.com'), true)
    assert.equal(patternInZone(parse('*example.com/*'), 'example.com'), true)
    assert.equal(patternInZone(parse('*-shop.example.com/*'), 'example.com'), true)
    assert.equal(patternInZone(parse('*/*'), 'example.com'), true)
    assert.equal(patternInZone(parse('other.com/*'), 'example.com'), false)
    assert.equal(patternInZone(parse('notexample.com/*'), 'example.com'), false)
    assert.equal(patternInZone(parse('*xample.com/*'), 'example.com'), false)
    assert.equal(patternInZone(parse('*.com/*'), 'example.com'), false)
    assert.equal(patternInZone(parse('example.com/*'), 'shop.example.com'), false)
  })
})

describe('route pattern matching', () => {
  it('matches hosts like the documentation table', () => {
    assert.equal(matches('*example.com/*', 'https://example.com/'), true)
    assert.equal(matches('*example.com/*', 'https://www.example.com/path'), true)
    assert.equal(matches('*example.com/*', 'https://myexample.com/'), true)
    assert.equal(matches('*example.com/*', 'https://not-example.org/'), false)
    assert.equal(matches('*.example.com/*', 'https://example.com/'), false)
    assert.equal(matches('*.example.com/*', 'https://www.example.com/path'), true)
    assert.equal(matches('*.example.com/*', 'https://a.b.example.com/'), true)
    assert.equal(matches('*.example.com/*', 'https://myexample.com/'), false)
    assert.equal(matches('*/*', 'http://anything.test/x'), true)
  })

  it('treats a pattern without path as `/`, exactly', () => {
    assert.equal(matches('example.com', 'http://example.com/'), true)
    assert.equal(matches('example.com', 'https://example.com/'), true)
    assert.equal(matches('example.com', 'https://example.com/a'), false)
    assert.equal(matches('example.com', 'https://example.com/?q=1'), false)
  })

  it('matches path prefixes, including the query string', () => {
    assert.equal(matches('example.com/path*', 'https://example.com/path'), true)
    assert.equal(matches('example.com/path*', 'https://example.com/path2'), true)
    assert.equal(matches('example.com/path*', 'https://example.com/path/readme.txt'), true)
    assert.equal(matches('example.com/path/*', 'https://example.com/path'), false)
    assert.equal(matches('example.com/images/cat.png', 'https://example.com/images/cat.png'), true)
    assert.equal(matches('example.com/images/cat.png', 'https://example.com/images/cat.png?foo=bar'), false)
    assert.equal(matches('example.com/images/*', 'https://example.com/images/cat.png?foo=bar'), true)
  })

  it('is case-insensitive in the host and case-sensitive in the path', () => {
    assert.equal(matches('Example.com/*', 'https://EXAMPLE.com/x'), true)
    assert.equal(matches('example.com/Images/*', 'https://example.com/images/a'), false)
    assert.equal(matches('example.com/Images/*', 'https://example.com/Images/a'), true)
  })

  it('honours a scheme when the pattern has one', () => {
    assert.equal(matches('https://*.example.com/', 'https://www.example.com/'), true)
    assert.equal(matches('https://*.example.com/', 'http://www.example.com/'), false)
    assert.equal(matches('http://example.com/*', 'https://example.com/'), false)
    assert.equal(matches('*.example.com/', 'http://www.example.com/'), true)
  })
})

describe('route precedence: the most specific pattern wins', () => {
  it('prefers an exact host over a wildcard host', () => {
    const www = 'https://www.example.com/'
    assert.equal(winner(['*.example.com/*', 'www.example.com/*'], www), 'www.example.com/*')
    assert.equal(winner(['www.example.com/*', '*.example.com/*'], www), 'www.example.com/*')
  })

  it('prefers the exact host even when the wildcard host has a longer path (documented known issue)', () => {
    assert.equal(winner(['*.example.com/a', 'a.example.com/*'], 'https://a.example.com/a'), 'a.example.com/*')
  })

  it('prefers the longer wildcard host', () => {
    assert.equal(
      winner(['*.example.com/*', '*.shop.example.com/*', '*/*'], 'https://x.shop.example.com/'),
      '*.shop.example.com/*',
    )
    assert.equal(winner(['*example.com/*', '*.example.com/*'], 'https://www.example.com/'), '*.example.com/*')
    assert.equal(winner(['*/*', '*example.com/*'], 'https://example.com/'), '*example.com/*')
  })

  it('prefers the longer path on the same host', () => {
    const hello = ['example.com/*', 'example.com/hello/*']
    assert.equal(winner(hello, 'https://example.com/hello/world'), 'example.com/hello/*')
    assert.equal(winner(hello, 'https://example.com/bye'), 'example.com/*')
    const images = ['example.com/images*', 'example.com/images/*']
    assert.equal(winner(images, 'https://example.com/images/hello'), 'example.com/images/*')
    assert.equal(winner(images, 'https://example.com/images123'), 'example.com/images*')
  })

  it('prefers an exact path over a wildcard path of the same literal', () => {
    assert.equal(winner(['example.com/a*', 'example.com/a'], 'https://example.com/a'), 'example.com/a')
    assert.equal(winner(['example.com/a*', 'example.com/a'], 'https://example.com/ab'), 'example.com/a*')
  })

  it('prefers a pattern with a scheme over the same pattern without', () => {
    const both = ['example.com/*', 'https://example.com/*']
    assert.equal(winner(both, 'https://example.com/x'), 'https://example.com/*')
    assert.equal(winner(both, 'http://example.com/x'), 'example.com/*')
  })

  it('orders deterministically and antisymmetrically', () => {
    const all = ['*/*', '*.example.com/*', 'example.com', 'example.com/*', 'a.example.com/x*', 'https://a.example.com/x*']
    const parsed = all.map(parse)
    for (const a of parsed)
      for (const b of parsed)
        assert.equal(Math.sign(compareSpecificity(a, b)) + Math.sign(compareSpecificity(b, a)), 0)
  })

  it('returns nothing when no pattern matches', () => {
    assert.equal(winner(['example.com/api/*'], 'https://example.com/'), undefined)
  })
})

describe('RouteTable', () => {
  const table = new RouteTable<string | null>(
    ['example.com', 'shop.example.com', 'other.test', 'empty.test', 'example.org'],
    [
      { zone: 'example.com', pattern: parse('*/*'), value: 'catch-all' },
      { zone: 'example.com', pattern: parse('*.example.com/*'), value: 'subdomains' },
      { zone: 'example.com', pattern: parse('api.example.com/*'), value: 'api' },
      { zone: 'example.org', pattern: parse('*example.org/images/cat.png'), value: null },
      { zone: 'example.org', pattern: parse('*example.org/images/*'), value: 'images' },
      { zone: 'shop.example.com', pattern: parse('*.shop.example.com/*'), value: 'shops' },
      { zone: 'other.test', pattern: parse('other.test/only'), value: 'only' },
    ],
  )
  const resolve = (url: string) => table.resolve(new URL(url))?.value

  it('sends a hostname to the zone with the longest matching name, then to its most specific route', () => {
    assert.equal(resolve('https://api.example.com/v1'), 'api')
    assert.equal(resolve('https://www.example.com/'), 'subdomains')
    assert.equal(resolve('https://example.com/'), 'catch-all')
    assert.equal(resolve('https://acme.shop.example.com/cart'), 'shops')
    assert.equal(resolve('https://shop.example.com/'), undefined, 'the subzone owns its apex and has no route there')
  })

  it('keeps routes without a script, which exclude the pattern from Workers (documented example)', () => {
    const excluded = table.resolve(new URL('https://www.example.org/images/cat.png'))
    assert.ok(excluded)
    assert.equal(excluded.value, null)
    assert.equal(resolve('https://example.org/images/dog.png'), 'images')
    assert.equal(resolve('https://example.org/images/cat.png?foo=bar'), 'images')
  })

  it('answers nothing for hostnames no zone serves or paths no route covers', () => {
    assert.equal(resolve('https://nowhere.test/'), undefined)
    assert.equal(resolve('https://myexample.com/'), undefined, '*/* of example.com never reaches another zone')
    assert.equal(resolve('https://other.test/'), undefined)
    assert.equal(resolve('https://other.test/only'), 'only')
    assert.equal(resolve('https://empty.test/'), undefined)
  })

  it('normalises Host header values', () => {
    assert.equal(table.zoneOf('API.Example.com:8787'), 'example.com')
    assert.equal(table.zoneOf('x.shop.example.com.'), 'shop.example.com')
    assert.equal(normaliseHostname('[::1]:8787'), '[::1]')
    assert.equal(
      table.resolve({ scheme: 'http', hostname: 'API.example.com:8787', pathAndQuery: '/' })?.value,
      'api',
    )
  })
})
