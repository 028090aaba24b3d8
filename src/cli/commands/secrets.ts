import { LockHeldError } from '../../util/pid-lock.js'
import { holdDataDir } from '../../data-dir.js'
import { rotateSecretsKey, sealStoredSecrets } from '../../secrets/at-rest.js'
import { loadKeySource, readKeyFile, SecretsKeyError } from '../../secrets/key-source.js'
import { newSecretsKey } from '../../secrets/sealer.js'
import { openStore } from '../../storage/open.js'
import { dataDirOption, defineCommand, str } from '../command.js'
import { configFromFlags } from '../config-flags.js'
import { requireDataDir } from '../data-dir.js'
import { CliError, UsageError } from '../errors.js'

// An operator command on the store itself: the running platform holds the key in memory, so the
// data dir must be stopped (its lock says so) while every secret is re-sealed.

export const secretsRotateKey = defineCommand({
  path: ['secrets', 'rotate-key'],
  describe: 'Re-seal every stored secret with a new key, in one transaction (stop the platform first)',
  options: {
    ...dataDirOption,
    'secrets-key-file': { type: 'string', value: 'FILE', describe: 'The current key, when the operator supplies it (or WORKERHIVE_SECRETS_KEY)' },
    'new-key-file': { type: 'string', value: 'FILE', describe: 'The new key, when the operator supplies keys (64 hex characters; `openssl rand -hex 32`)' },
  },
  example: 'secrets rotate-key --data-dir ./.workerhive',
  async run({ values }) {
    const config = configFromFlags({ dataDir: str(values['data-dir']), secretsKeyFile: str(values['secrets-key-file']) })
    if (config.storage === 'sqlite') requireDataDir(config.dataDir)
    let lock
    try {
      lock = holdDataDir(config.dataDir)
    } catch (err) {
      if (!(err instanceof LockHeldError)) throw err
      throw new CliError(`the data dir ${config.dataDir} is in use by a running Workerhive; stop it first (it holds the current key in memory)`)
    }
    try {
      const source = loadKeySource(config)
      const newKeyFile = str(values['new-key-file'])
      if (source.heldByDataDir && newKeyFile)
        throw new UsageError('this data dir holds its own key (secrets.key); rotate-key makes the new one, so leave out --new-key-file')
      if (!source.heldByDataDir && !newKeyFile)
        throw new UsageError('the operator supplies this platform\'s key: pass the new one with --new-key-file FILE')
      const next = newKeyFile ? readKeyFile(newKeyFile) : newSecretsKey()
      const store = await openStore(config)
      try {
        // Finish an interrupted rotation first, so the new key is the only one left to leave.
        const keyring = await sealStoredSecrets(store, source, config)
        const changed = await rotateSecretsKey(store, { ...source, keyring, pending: undefined }, config, next)
        const after = source.heldByDataDir
          ? 'secrets.key in the data dir holds the new key'
          : `start every node with the new key now (key ${next.id}); the old key opens nothing any more`
        process.stdout.write(`Re-sealed the secrets of ${changed} script versions with key ${next.id}; ${after}.\n`)
        return 0
      } finally {
        await store.close()
      }
    } catch (err) {
      if (err instanceof SecretsKeyError) throw new CliError(err.message)
      throw err
    } finally {
      lock.release()
    }
  },
})
