import { parseRoutePattern, patternHostLiteral } from '../../shared/route-patterns.js'
import { call, target, type Target } from '../api-client.js'
import { dataDirOption, defineCommand, jsonOption, printJson, str } from '../command.js'
import { CliError } from '../errors.js'

// Zone and route commands are API clients (see ../api-client.ts): they can do nothing the API cannot.

interface ZoneView {
  id: string
  name: string
}
interface RouteView {
  id: string
  pattern: string
  script?: string
}

async function allZones(t: Target): Promise<ZoneView[]> {
  const zones: ZoneView[] = []
  for (let page = 1; ; page++) {
    const batch = await call<ZoneView[]>(t, 'GET', `/zones?per_page=50&page=${page}`)
    zones.push(...batch)
    if (batch.length < 50) return zones
  }
}

async function zoneByName(t: Target, name: string): Promise<ZoneView | undefined> {
  const query = new URLSearchParams({ name, 'account.id': t.accountId })
  return (await call<ZoneView[]>(t, 'GET', `/zones?${query}`))[0]
}

/** `--zone`, or like wrangler: the pattern's host, then each parent domain, until a zone exists. */
async function zoneForPattern(t: Target, pattern: string, zoneName: string | undefined): Promise<ZoneView> {
  if (zoneName) {
    const zone = await zoneByName(t, zoneName)
    if (!zone)
      throw new CliError(`no zone named "${zoneName}"; create it with \`workerhive zone create ${zoneName}\``)
    return zone
  }
  const parsed = parseRoutePattern(pattern)
  if (!parsed.ok) throw new CliError(`invalid route pattern "${pattern}": ${parsed.problem}`)
  const labels = patternHostLiteral(parsed.pattern).split('.')
  for (let i = 0; i < labels.length - 1; i++) {
    const zone = await zoneByName(t, labels.slice(i).join('.'))
    if (zone) return zone
  }
  throw new CliError(
    `no zone serves "${pattern}"; pass --zone NAME or create the zone with \`workerhive zone create\``,
  )
}

const zoneOption = {
  zone: { type: 'string', value: 'NAME', describe: 'Zone of the route (default: the zone of the pattern\u2019s host or a parent domain)' },
} as const

export const zoneCreate = defineCommand({
  path: ['zone', 'create'],
  describe: 'Create a zone: a domain whose hostnames the edge serves through routes',
  args: [{ name: 'name', describe: 'The domain, e.g. example.com' }],
  options: { ...dataDirOption, ...jsonOption },
  example: 'zone create example.com',
  async run({ values, args: [name] }) {
    const t = target(str(values['data-dir']))
    const zone = await call<ZoneView>(t, 'POST', '/zones', { name, account: { id: t.accountId } })
    if (values.json) return printJson(zone)
    process.stdout.write(`Created zone "${zone.name}" with ID "${zone.id}"\n`)
    return 0
  },
})

export const zoneList = defineCommand({
  path: ['zone', 'list'],
  describe: 'List the zones of the account',
  options: { ...dataDirOption, ...jsonOption },
  example: 'zone list --json',
  async run({ values }) {
    const zones = await allZones(target(str(values['data-dir'])))
    if (values.json) return printJson(zones)
    if (zones.length === 0) process.stdout.write('No zones. Create one with `workerhive zone create <name>`.\n')
    for (const z of zones) process.stdout.write(`${z.id}  ${z.name}\n`)
    return 0
  },
})

export const routeAdd = defineCommand({
  path: ['route', 'add'],
  describe: 'Send requests matching a route pattern (e.g. "*.shop.example.com/*") to an account Worker',
  args: [
    { name: 'pattern', describe: 'Route pattern: host and path, each may start or end with *' },
    { name: 'script', describe: 'The account Worker (usually the dispatch Worker) that serves it' },
  ],
  options: { ...dataDirOption, ...zoneOption, ...jsonOption },
  example: "route add '*.example.com/*' dispatcher --zone example.com",
  async run({ values, args: [pattern, script] }) {
    const t = target(str(values['data-dir']))
    const zone = await zoneForPattern(t, pattern!, str(values.zone))
    const route = await call<RouteView>(t, 'POST', `/zones/${zone.id}/workers/routes`, { pattern, script })
    if (values.json) return printJson({ zone: zone.name, ...route })
    const worker = route.script ?? script
    process.stdout.write(`Added route ${route.pattern} -> ${worker} in zone ${zone.name} (ID "${route.id}")\n`)
    return 0
  },
})

export const routeList = defineCommand({
  path: ['route', 'list'],
  describe: 'List routes, per zone',
  options: { ...dataDirOption, zone: { type: 'string', value: 'NAME', describe: 'Only the routes of this zone' }, ...jsonOption },
  example: 'route list --zone example.com',
  async run({ values }) {
    const t = target(str(values['data-dir']))
    const zoneName = str(values.zone)
    const zone = zoneName ? await zoneByName(t, zoneName) : undefined
    if (zoneName && !zone) throw new CliError(`no zone named "${zoneName}"`)
    const rows: Array<RouteView & { zone: string }> = []
    for (const z of zone ? [zone] : await allZones(t)) {
      for (const r of await call<RouteView[]>(t, 'GET', `/zones/${z.id}/workers/routes`)) rows.push({ zone: z.name, ...r })
    }
    if (values.json) return printJson(rows)
    for (const r of rows) process.stdout.write(`${r.zone}  ${r.pattern}  ${r.script ?? '(no Worker)'}\n`)
    if (rows.length === 0) process.stdout.write('No routes. Add one with `workerhive route add <pattern> <script>`.\n')
    return 0
  },
})

export const routeDelete = defineCommand({
  path: ['route', 'delete'],
  describe: 'Remove the route with this pattern',
  args: [{ name: 'pattern', describe: 'The route\u2019s pattern, as `workerhive route list` shows it' }],
  options: { ...dataDirOption, ...zoneOption },
  example: "route delete '*.example.com/*' --zone example.com",
  async run({ values, args: [pattern] }) {
    const t = target(str(values['data-dir']))
    const zone = await zoneForPattern(t, pattern!, str(values.zone))
    const parsed = parseRoutePattern(pattern!)
    const wanted = parsed.ok ? parsed.pattern.source : pattern
    const routes = await call<RouteView[]>(t, 'GET', `/zones/${zone.id}/workers/routes`)
    const route = routes.find((r) => r.pattern === wanted)
    if (!route) throw new CliError(`zone ${zone.name} has no route ${pattern}; \`workerhive route list\` shows them`)
    await call(t, 'DELETE', `/zones/${zone.id}/workers/routes/${route.id}`)
    process.stdout.write(`Deleted route ${route.pattern} from zone ${zone.name}\n`)
    return 0
  },
})
