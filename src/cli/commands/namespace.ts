import { call, dataDirOption, report, str, target, usage } from '../api-client.js'
import { defineCommand } from '../command.js'

interface NamespaceView {
  namespace_id: string
  namespace_name: string
  script_count: number
  trusted_workers: boolean
}

const base = (accountId: string): string => `/accounts/${accountId}/workers/dispatch/namespaces`

export const namespaceCreate = defineCommand({
  path: ['namespace', 'create'],
  usage: '<name> [--data-dir DIR]',
  describe: 'Create a dispatch namespace for your customers\u2019 Workers',
  options: dataDirOption,
  async run({ values, args }) {
    const name = args[0]
    if (!name) return usage('namespace create', 'namespace create production')
    return report('namespace create', async () => {
      const t = target(str(values['data-dir']))
      const ns = await call<NamespaceView>(t, 'POST', base(t.accountId), { name })
      process.stdout.write(`Created dispatch namespace "${ns.namespace_name}" with ID "${ns.namespace_id}"\n`)
    })
  },
})

export const namespaceList = defineCommand({
  path: ['namespace', 'list'],
  usage: '[--data-dir DIR]',
  describe: 'List dispatch namespaces with their script counts',
  options: dataDirOption,
  async run({ values }) {
    return report('namespace list', async () => {
      const t = target(str(values['data-dir']))
      const list = await call<NamespaceView[]>(t, 'GET', base(t.accountId))
      if (list.length === 0) process.stdout.write('No dispatch namespaces. Create one with `workerhive namespace create <name>`.\n')
      for (const n of list) {
        process.stdout.write(`${n.namespace_id}  ${n.namespace_name}  ${n.script_count} scripts${n.trusted_workers ? '  (trusted)' : ''}\n`)
      }
    })
  },
})

export const namespaceDelete = defineCommand({
  path: ['namespace', 'delete'],
  usage: '<name> [--data-dir DIR]',
  describe: 'Delete a dispatch namespace and every script in it',
  options: dataDirOption,
  async run({ values, args }) {
    const name = args[0]
    if (!name) return usage('namespace delete', 'namespace delete staging')
    return report('namespace delete', async () => {
      const t = target(str(values['data-dir']))
      await call(t, 'DELETE', `${base(t.accountId)}/${encodeURIComponent(name)}`)
      process.stdout.write(`Deleted dispatch namespace "${name}"\n`)
    })
  },
})
