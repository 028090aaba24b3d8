import { isoTime, type Clock } from '../../util/clock.js'
import { LOCATED_DO_NAMESPACE_SQL, sameTag, toDoNamespace, toLocatedDoNamespace, type DoNamespaceRow, type LocatedDoNamespaceRow } from '../shared/durable-objects.js'
import type { DurableObjectMigration, DurableObjectStore } from '../store.js'
import { dialect, type Db } from './database.js'

export function sqliteDurableObjects(db: Db, clock: Clock): DurableObjectStore {
  const s = {
    ofScript: db.prepare<[string], DoNamespaceRow>('SELECT * FROM durable_object_namespaces WHERE script_id = ? ORDER BY created_on, class_name'),
    get: db.prepare<[string], LocatedDoNamespaceRow>(`${LOCATED_DO_NAMESPACE_SQL} WHERE d.id = ?`),
    tag: db.prepare<[string], { migration_tag: string | null }>('SELECT migration_tag FROM scripts WHERE id = ?'),
    setTag: db.prepare('UPDATE scripts SET migration_tag = ? WHERE id = ?'),
    insert: db.prepare('INSERT INTO durable_object_namespaces (id, script_id, class_name, use_sqlite, created_on) VALUES (?, ?, ?, ?, ?)'),
    rename: db.prepare('UPDATE durable_object_namespaces SET class_name = ? WHERE id = ? AND script_id = ?'),
    move: db.prepare('UPDATE durable_object_namespaces SET class_name = ?, script_id = ? WHERE id = ?'),
    drop: db.prepare('DELETE FROM durable_object_namespaces WHERE id = ? AND script_id = ?'),
  }
  const migrate = db.transaction((scriptId: string, m: DurableObjectMigration) => {
    const row = s.tag.get(scriptId)
    const current = row?.migration_tag ?? null
    if (!row || !sameTag(m.fromTag, current)) return { applied: false as const, currentTag: current }
    // Deletes and renames first: a class name freed by one step can be taken by the next.
    for (const id of m.delete) s.drop.run(id, scriptId)
    for (const r of m.rename) s.rename.run(`\u0001${r.id}`, r.id, scriptId)
    for (const r of m.rename) s.rename.run(r.className, r.id, scriptId)
    for (const r of m.move) s.move.run(r.className, scriptId, r.id)
    const now = isoTime(clock.now())
    for (const c of m.create) s.insert.run(c.id, scriptId, c.className, c.useSqlite ? 1 : 0, now)
    if (m.toTag !== null) s.setTag.run(m.toTag, scriptId)
    return { applied: true as const }
  })
  return {
    async ofScript(scriptId) {
      return s.ofScript.all(scriptId).map((r) => toDoNamespace(dialect, r))
    },
    async get(id) {
      const r = s.get.get(id)
      return r && toLocatedDoNamespace(dialect, r)
    },
    async migrate(scriptId, m) {
      return migrate(scriptId, m)
    },
  }
}
