import { parseRoutePattern, patternHostLiteral } from '../../shared/route-patterns.js'
import { call, CliError, dataDirOption, report, str, target, usage, type Target } from '../api-client.js'
import { defineCommand } from '../command.js'

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

export const zoneCreate = defineCommand({
  path: ['zone', 'create'],
  usage: '<name> [--data-dir DIR]',
  describe: 'Create a zone: a domain whose hostnames the edge serves through routes',
  options: dataDirOption,
  async run({ values, args }) {
    const name = args[0]
    if (!name) return usage('zone create', 'zone create example.com')
    return report('zone create', async () => {
      const t = target(str(values['data-dir']))
      const zone = await call<ZoneView>(t, 'POST', '/zones', { name, account: { id: t.accountId } })
      process.stdout.write(`Created zone "${zone.name}" with ID "${zone.id}"\n`)
    })
  },
})

export const zoneList = defineCommand({
  path: ['zone', 'list'],
  usage: '[--data-dir DIR]',
  describe: 'List the zones of the account',
  options: dataDirOption,
  async run({ values }) {
    return report('zone list', async () => {
      const zones = await allZones(target(str(values['data-dir'])))
      if (zones.length === 0) process.stdout.write('No zones. Create one with `workerhive zone create <name>`.\n')
      for (const z of zones) process.stdout.write(`${z.id}  ${z.name}\n`)
    })
  },
})

export const routeAdd = defineCommand({
  path: ['route', 'add'],
  usage: '<pattern> <script> [--zone NAME] [--data-dir DIR]',
  describe: 'Send requests matching a route pattern (e.g. "*.shop.example.com/*") to an account Worker',
  options: { ...dataDirOption, zone: { type: 'string' } },
  async run({ values, args }) {
    const [pattern, script] = args
    if (!pattern || !script) return usage('route add', "route add '*.example.com/*' dispatcher --zone example.com")
    return report('route add', async () => {
      const t = target(str(values['data-dir']))
      const zone = await zoneForPattern(t, pattern, str(values.zone))
      const route = await call<RouteView>(t, 'POST', `/zones/${zone.id}/workers/routes`, { pattern, script })
      const worker = route.script ?? script
      process.stdout.write(`Added route ${route.pattern} -> ${worker} in zone ${zone.name} (ID "${route.id}")\n`)
    })
  },
})

export const routeList = defineCommand({
  path: ['route', 'list'],
  usage: '[--zone NAME] [--data-dir DIR]',
  describe: 'List routes, per zone',
  options: { ...dataDirOption, zone: { type: 'string' } },
  async run({ values }) {
    return report('route list', async () => {
      const t = target(str(values['data-dir']))
      const zoneName = str(values.zone)
      const zone = zoneName ? await zoneByName(t, zoneName) : undefined
      if (zoneName && !zone) throw new CliError(`no zone named "${zoneName}"`)
      const zones = zone ? [zone] : await allZones(t)
      let count = 0
      for (const z of zones) {
        for (const r of await call<RouteView[]>(t, 'GET', `/zones/${z.id}/workers/routes`)) {
          process.stdout.write(`${z.name}  ${r.pattern}  ${r.script ?? '(no Worker)'}\n`)
          count++
        }
      }
      if (count === 0) process.stdout.write('No routes. Add one with `workerhive route add <pattern> <script>`.\n')
    })
  },
})

export const routeDelete = defineCommand({
  path: ['route', 'delete'],
  usage: '<pattern> [--zone NAME] [--data-dir DIR]',
  describe: 'Remove the route with this pattern',
  options: { ...dataDirOption, zone: { type: 'string' } },
  async run({ values, args }) {
    const pattern = args[0]
    if (!pattern) return usage('route delete', "route delete '*.example.com/*' --zone example.com")
    return report('route delete', async () => {
      const t = target(str(values['data-dir']))
      const zone = await zoneForPattern(t, pattern, str(values.zone))
      const parsed = parseRoutePattern(pattern)
      const wanted = parsed.ok ? parsed.pattern.source : pattern
      const routes = await call<RouteView[]>(t, 'GET', `/zones/${zone.id}/workers/routes`)
      const route = routes.find((r) => r.pattern === wanted)
      if (!route)
        throw new CliError(`zone ${zone.name} has no route ${pattern}; \`workerhive route list\` shows them`)
      await call(t, 'DELETE', `/zones/${zone.id}/workers/routes/${route.id}`)
      process.stdout.write(`Deleted route ${route.pattern} from zone ${zone.name}\n`)
    })
  },
})
