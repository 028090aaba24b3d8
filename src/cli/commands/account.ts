import { createAccount, createToken } from '../../bootstrap.js'
import type { AccountId } from '../../domain/ids.js'
import { openStore } from '../../storage/open.js'
import type { Store, TokenSettings } from '../../storage/store.js'
import { PERMISSION_GROUPS } from '../../domain/permission-groups.js'
import { NAMESPACE_RESOURCE } from '../../domain/token-policy.js'
import { hexId } from '../../util/ids.js'
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

/** A token that may deploy to one namespace only: what a platform's provisioning backend needs. */
const namespaceToken = (name: string, accountId: AccountId, namespace: string): TokenSettings => ({
  name,
  policies: [
    {
      id: hexId(),
      effect: 'allow',
      permission_groups: [{ id: SCRIPTS_WRITE.id, name: SCRIPTS_WRITE.name }],
      resources: { [`${NAMESPACE_RESOURCE}${accountId}.${namespace}`]: '*' },
    },
  ],
})
const SCRIPTS_WRITE = PERMISSION_GROUPS.find((g) => g.name === 'Workers Scripts Write')!

export const tokenCreate = defineCommand({
  path: ['token', 'create'],
  describe: 'Create an API token (for the first account unless --account is given)',
  options: {
    ...dataDirOption,
    account: { type: 'string', value: 'ID', describe: 'Account the token belongs to (default: the first account)' },
    name: { type: 'string', value: 'NAME', describe: 'Name of the token' },
    namespace: {
      type: 'string',
      value: 'NAME',
      describe: 'Limit the token to Workers Scripts Write on this dispatch namespace (default: full access)',
    },
  },
  example: 'token create --name provisioner --namespace customers',
  async run({ values }) {
    const store = await openExistingStore(values)
    try {
      const accountId = (str(values.account) ?? (await store.accounts.list())[0]?.id) as AccountId | undefined
      if (!accountId || !(await store.accounts.get(accountId)))
        throw new CliError('no such account; `workerhive start` creates the first one, or pass --account ID')
      const name = str(values.name) ?? 'cli token'
      const namespace = str(values.namespace)
      if (namespace !== undefined && !(await store.namespaces.get(accountId, namespace)))
        throw new CliError(`no dispatch namespace named ${namespace}; \`workerhive namespace create ${namespace}\` creates it`)
      const token = await createToken(store, accountId, name, namespace === undefined ? undefined : namespaceToken(name, accountId, namespace))
      process.stdout.write(`export CLOUDFLARE_ACCOUNT_ID=${accountId}\nexport CLOUDFLARE_API_TOKEN=${token}\n`)
      return 0
    } finally {
      await store.close()
    }
  },
})
