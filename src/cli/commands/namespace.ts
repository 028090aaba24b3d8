import { call, target } from '../api-client.js'
import { dataDirOption, defineCommand, jsonOption, printJson, str } from '../command.js'

interface NamespaceView {
  namespace_id: string
  namespace_name: string
  script_count: number
  trusted_workers: boolean
}

const base = (accountId: string): string => `/accounts/${accountId}/workers/dispatch/namespaces`

export const namespaceCreate = defineCommand({
  path: ['namespace', 'create'],
  describe: 'Create a dispatch namespace for your customers\u2019 Workers',
  args: [{ name: 'name', describe: 'Name of the namespace' }],
  options: { ...dataDirOption, ...jsonOption },
  example: 'namespace create production',
  async run({ values, args: [name] }) {
    const t = target(str(values['data-dir']))
    const ns = await call<NamespaceView>(t, 'POST', base(t.accountId), { name })
    if (values.json) return printJson(ns)
    process.stdout.write(`Created dispatch namespace "${ns.namespace_name}" with ID "${ns.namespace_id}"\n`)
    return 0
  },
})

export const namespaceList = defineCommand({
  path: ['namespace', 'list'],
  describe: 'List dispatch namespaces with their script counts',
  options: { ...dataDirOption, ...jsonOption },
  example: 'namespace list --json',
  async run({ values }) {
    const t = target(str(values['data-dir']))
    const list = await call<NamespaceView[]>(t, 'GET', base(t.accountId))
    if (values.json) return printJson(list)
    if (list.length === 0) process.stdout.write('No dispatch namespaces. Create one with `workerhive namespace create <name>`.\n')
    for (const n of list) {
      process.stdout.write(`${n.namespace_id}  ${n.namespace_name}  ${n.script_count} scripts${n.trusted_workers ? '  (trusted)' : ''}\n`)
    }
    return 0
  },
})

export const namespaceDelete = defineCommand({
  path: ['namespace', 'delete'],
  describe: 'Delete a dispatch namespace and every script in it',
  args: [{ name: 'name', describe: 'Name of the namespace' }],
  options: dataDirOption,
  example: 'namespace delete staging',
  async run({ values, args: [name] }) {
    const t = target(str(values['data-dir']))
    await call(t, 'DELETE', `${base(t.accountId)}/${encodeURIComponent(name!)}`)
    process.stdout.write(`Deleted dispatch namespace "${name}"\n`)
    return 0
  },
})
