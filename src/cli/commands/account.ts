import { createAccount, createToken } from '../../bootstrap.js'
import { loadConfig } from '../../config/config.js'
import type { AccountId } from '../../domain/ids.js'
import { openStore } from '../../storage/open.js'
import { defineCommand } from '../command.js'

// Operator commands: they open the data dir directly, because creating accounts and tokens is
// not part of Cloudflare's API and must not be reachable over the network.
const dataDirOption = { 'data-dir': { type: 'string' } } as const

export const accountCreate = defineCommand({
  path: ['account', 'create'],
  usage: '<email> [--name NAME] [--data-dir DIR]',
  describe: 'Create an account with a global API key and an API token',
  options: { ...dataDirOption, name: { type: 'string' } },
  async run({ values, args }) {
    const email = args[0]
    if (!email || !email.includes('@')) {
      process.stderr.write('workerhive account create: give the account email, e.g. `workerhive account create ops@example.com`\n')
      return 2
    }
    const store = await openStore(loadConfig({ dataDir: values['data-dir'] as string | undefined }))
    try {
      const { accountId, globalApiKey } = await createAccount(store, {
        name: (values.name as string | undefined) ?? email,
        email,
      })
      const token = await createToken(store, accountId, 'created by workerhive account create')
      process.stdout.write(
        `Created account ${accountId}\nexport CLOUDFLARE_ACCOUNT_ID=${accountId}\nexport CLOUDFLARE_API_TOKEN=${token}\nexport CLOUDFLARE_EMAIL=${email}\nexport CLOUDFLARE_API_KEY=${globalApiKey}\n`,
      )
      return 0
    } finally {
      await store.close()
    }
  },
})

export const tokenCreate = defineCommand({
  path: ['token', 'create'],
  usage: '[--account ID] [--name NAME] [--data-dir DIR]',
  describe: 'Create an API token (for the first account unless --account is given)',
  options: { ...dataDirOption, account: { type: 'string' }, name: { type: 'string' } },
  async run({ values }) {
    const store = await openStore(loadConfig({ dataDir: values['data-dir'] as string | undefined }))
    try {
      const accountId = ((values.account as string | undefined) ?? (await store.accounts.list())[0]?.id) as
        | AccountId
        | undefined
      if (!accountId || !(await store.accounts.get(accountId))) {
        process.stderr.write('workerhive token create: no such account; run `workerhive start` once, or pass --account ID\n')
        return 2
      }
      const token = await createToken(store, accountId, (values.name as string | undefined) ?? 'cli token')
      process.stdout.write(`export CLOUDFLARE_ACCOUNT_ID=${accountId}\nexport CLOUDFLARE_API_TOKEN=${token}\n`)
      return 0
    } finally {
      await store.close()
    }
  },
})
