import { createAccount, createToken } from '../../bootstrap.js'
import type { AccountId } from '../../domain/ids.js'
import { openStore } from '../../storage/open.js'
import type { Store } from '../../storage/store.js'
import { dataDirOption, defineCommand, str, type OptionValues } from '../command.js'
import { configFromFlags } from '../config-flags.js'
import { requireDataDir } from '../data-dir.js'
import { CliError, UsageError } from '../errors.js'

// Operator commands: they open the store directly, because creating accounts and tokens is not
// part of Cloudflare's API and must not be reachable over the network.

/** The store of an existing platform; a data dir that `start` never made is an error, not a new database. */
async function openExistingStore(values: OptionValues): Promise<Store> {
  const config = configFromFlags({ dataDir: str(values['data-dir']) })
  // With PostgreSQL the data dir holds no data; the connection string says where the store is.
  if (config.storage === 'sqlite') requireDataDir(config.dataDir)
  return openStore(config)
}

export const accountCreate = defineCommand({
  path: ['account', 'create'],
  describe: 'Create an account with a global API key and an API token',
  args: [{ name: 'email', describe: 'Email of the account (CLOUDFLARE_EMAIL for X-Auth-Email clients)' }],
  options: { ...dataDirOption, name: { type: 'string', value: 'NAME', describe: 'Name of the account (default: the email)' } },
  example: 'account create ops@example.com --name "Ops team"',
  async run({ values, args: [email] }) {
    if (!email!.includes('@')) throw new UsageError(`"${email}" is not an email address, e.g. \`workerhive account create ops@example.com\``)
    const store = await openExistingStore(values)
    try {
      const { accountId, globalApiKey } = await createAccount(store, { name: str(values.name) ?? email!, email: email! })
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
  describe: 'Create an API token (for the first account unless --account is given)',
  options: {
    ...dataDirOption,
    account: { type: 'string', value: 'ID', describe: 'Account the token belongs to (default: the first account)' },
    name: { type: 'string', value: 'NAME', describe: 'Name of the token' },
  },
  example: 'token create --name ci',
  async run({ values }) {
    const store = await openExistingStore(values)
    try {
      const accountId = (str(values.account) ?? (await store.accounts.list())[0]?.id) as AccountId | undefined
      if (!accountId || !(await store.accounts.get(accountId)))
        throw new CliError('no such account; `workerhive start` creates the first one, or pass --account ID')
      const token = await createToken(store, accountId, str(values.name) ?? 'cli token')
      process.stdout.write(`export CLOUDFLARE_ACCOUNT_ID=${accountId}\nexport CLOUDFLARE_API_TOKEN=${token}\n`)
      return 0
    } finally {
      await store.close()
    }
  },
})
