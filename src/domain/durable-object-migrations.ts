import { z } from 'zod'
import type { DurableObjectMigration, DurableObjectNamespace } from '../storage/store.js'
import { migrationInvalid, migrationTagMismatch } from './errors.js'

const ClassNames = z.array(z.string().min(1)).optional()

/** One step of `migrations` in upload metadata, with Cloudflare's field names. */
const MigrationStep = z.object({
  new_classes: ClassNames,
  new_sqlite_classes: ClassNames,
  renamed_classes: z.array(z.object({ from: z.string().min(1), to: z.string().min(1) })).optional(),
  deleted_classes: ClassNames,
  transferred_classes: z.array(z.object({ from: z.string().min(1), from_script: z.string().min(1), to: z.string().min(1) })).optional(),
})
type MigrationStep = z.output<typeof MigrationStep>

/** `migrations`: wrangler sends `{old_tag?, new_tag, steps}`; older clients one step's fields inline. */
export const MigrationsSchema = MigrationStep.extend({
  old_tag: z.string().optional(),
  new_tag: z.string().optional(),
  steps: z.array(MigrationStep).optional(),
})
export type Migrations = z.output<typeof MigrationsSchema>

export interface MigrationInput {
  migrations: Migrations | undefined
  /** The script's namespaces and tag now (none for a new script). */
  current: readonly DurableObjectNamespace[]
  currentTag: string | null
  /** The namespaces of another script of the same scope (transfers); undefined: no such script. */
  namespacesOf(script: string): Promise<readonly DurableObjectNamespace[] | undefined>
  newId(): string
}

export interface MigrationPlan {
  migration: DurableObjectMigration
  /** The script's classes after the migration: class name → namespace id. */
  classes: Map<string, string>
}

/**
 * Plans an upload's migrations against the script's classes: the tag precondition (10079), then
 * each step in order on a copy of the class map, so a step that does not apply (10074) refuses the
 * upload before anything is stored. The store applies the plan under the same precondition.
 */
export async function planMigrations(input: MigrationInput): Promise<MigrationPlan> {
  const classes = new Map(input.current.map((n) => [n.className, n.id]))
  const migration: DurableObjectMigration = { fromTag: input.currentTag, toTag: null, create: [], rename: [], move: [], delete: [] }
  const m = input.migrations
  if (!m) return { migration, classes }
  if ((m.old_tag ?? null) !== input.currentTag) throw migrationTagMismatch(input.currentTag)
  migration.toTag = m.new_tag ?? null
  const own = new Set(input.current.map((n) => n.id))
  const steps: MigrationStep[] = [...(m.steps ?? []), m]
  for (const step of steps) {
    for (const [names, useSqlite] of [[step.new_classes, false], [step.new_sqlite_classes, true]] as const) {
      for (const className of names ?? []) {
        if (classes.has(className)) throw migrationInvalid(`Cannot apply new-class migration to class '${className}' that already exists`)
        const id = input.newId()
        classes.set(className, id)
        migration.create.push({ id, className, useSqlite })
      }
    }
    for (const { from, to } of step.renamed_classes ?? []) {
      const id = classes.get(from)
      if (id === undefined) throw migrationInvalid(`Cannot apply rename migration to class '${from}' that does not exist`)
      if (classes.has(to)) throw migrationInvalid(`Cannot apply rename migration to class '${to}' that already exists`)
      classes.delete(from)
      classes.set(to, id)
      renameOrReplace(migration, id, to)
    }
    for (const className of step.deleted_classes ?? []) {
      const id = classes.get(className)
      if (id === undefined) throw migrationInvalid(`Cannot apply delete migration to class '${className}' that does not exist`)
      classes.delete(className)
      migration.create = migration.create.filter((c) => c.id !== id)
      migration.rename = migration.rename.filter((r) => r.id !== id)
      migration.move = migration.move.filter((r) => r.id !== id)
      if (own.has(id)) migration.delete.push(id)
    }
    for (const { from, from_script, to } of step.transferred_classes ?? []) {
      const source = await input.namespacesOf(from_script)
      const found = source?.find((n) => n.className === from)
      if (!found) throw migrationInvalid(`Cannot apply transfer migration from class '${from}' of script '${from_script}': it does not exist`)
      if (classes.has(to)) throw migrationInvalid(`Cannot apply transfer migration to class '${to}' that already exists`)
      classes.set(to, found.id)
      migration.move.push({ id: found.id, className: to })
    }
  }
  return { migration, classes }
}

/** A class renamed twice in one upload, or created and renamed, is written once under its last name. */
function renameOrReplace(m: DurableObjectMigration, id: string, className: string): void {
  for (const list of [m.create, m.move]) {
    const entry = list.find((c) => c.id === id)
    if (entry) return void (entry.className = className)
  }
  const existing = m.rename.find((r) => r.id === id)
  if (existing) existing.className = className
  else m.rename.push({ id, className })
}
