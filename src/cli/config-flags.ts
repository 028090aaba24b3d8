import { ZodError, type core } from 'zod'
import { envNames, loadConfig, type Config, type ConfigInput } from '../config/config.js'
import { UsageError } from './errors.js'

/**
 * The configuration from the command's flags (over the environment), with a bad value said in one
 * sentence naming the flag or the environment variable it came from, instead of zod's issue list.
 */
export function configFromFlags(flags: ConfigInput, env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(flags, env)
  } catch (err) {
    if (!(err instanceof ZodError)) throw err
    const issue = err.issues[0]!
    const key = issue.path[0] as keyof ConfigInput
    const fromFlag = flags[key] !== undefined
    const source = fromFlag ? `--${flagOfSetting(key)}` : envNames[key]
    const value = fromFlag ? flags[key] : env[envNames[key]]
    throw new UsageError(`${source} ${expectation(issue)}, not ${JSON.stringify(String(value))}`)
  }
}

/** What the value should have been, from the zod issue. */
function expectation(issue: core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'int' ? 'must be a whole number' : `must be a ${issue.expected}`
    case 'too_small':
      return `must be at least ${issue.minimum}`
    case 'too_big':
      return `must be at most ${issue.maximum}`
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`
    case 'invalid_union':
      // Booleans given as text (`WORKERHIVE_SANDBOX=false`) are the only union in the config.
      return 'must be true or false'
    default:
      return `is not valid (${issue.message})`
  }
}

/** Flags whose name is not their setting's name in kebab case. */
const RENAMED: Partial<Record<keyof ConfigInput, string>> = { privateAllowList: 'private-allow' }

const flagOfSetting = (key: keyof ConfigInput): string =>
  RENAMED[key] ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

/** The setting a `start` flag gives: `--edge-port` is `edgePort`. */
export function settingOfFlag(flag: string): keyof ConfigInput {
  const renamed = Object.entries(RENAMED).find(([, name]) => name === flag)?.[0]
  return (renamed ?? flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())) as keyof ConfigInput
}
