import { isoTime, type Clock } from '../../util/clock.js'
import { LOCATED_DO_NAMESPACE_SQL, sameTag, toDoNamespace, toLocatedDoNamespace, type DoNamespaceRow, type LocatedDoNamespaceRow } from '../shared/durable-objects.js'
import type { DurableObjectStore } from '../store.js'
import { dialect, type Db } from './database.js'

export function postgresDurableObjects(db: Db, clock: Clock): DurableObjectStore {
  return {
    async ofScript(scriptId) {
      const rows = await db.rows<DoNamespaceRow>('SELECT * FROM durable_object_namespaces WHERE script_id = $1 ORDER BY created_on, class_name', [scriptId])
      return rows.map((r) => toDoNamespace(dialect, r))
    },
    async get(id) {
      const [r] = await db.rows<LocatedDoNamespaceRow>(`${LOCATED_DO_NAMESPACE_SQL} WHERE d.id = $1`, [id])
      return r && toLocatedDoNamespace(dialect, r)
    },
    async migrate(scriptId, m) {
      return db.tx(async (q) => {
        // The script row's lock orders concurrent migrations of one script.
        const [row] = await q.rows<{ migration_tag: string | null }>('SELECT migration_tag FROM scripts WHERE id = $1 FOR UPDATE', [scriptId])
        const current = row?.migration_tag ?? null
        if (!row || !sameTag(m.fromTag, current)) return { applied: false as const, currentTag: current }
        for (const id of m.delete) await q.run('DELETE FROM durable_object_namespaces WHERE id = $1 AND script_id = $2', [id, scriptId])
        for (const r of m.rename) await q.run('UPDATE durable_object_namespaces SET class_name = $1 WHERE id = $2 AND script_id = $3', [`\u0001${r.id}`, r.id, scriptId])
        for (const r of m.rename) await q.run('UPDATE durable_object_namespaces SET class_name = $1 WHERE id = $2 AND script_id = $3', [r.className, r.id, scriptId])
        for (const r of m.move) await q.run('UPDATE durable_object_namespaces SET class_name = $1, script_id = $2 WHERE id = $3', [r.className, scriptId, r.id])
        const now = isoTime(clock.now())
        for (const c of m.create)
          await q.run('INSERT INTO durable_object_namespaces (id, script_id, class_name, use_sqlite, created_on) VALUES ($1, $2, $3, $4, $5)', [c.id, scriptId, c.className, c.useSqlite ? 1 : 0, now])
        if (m.toTag !== null) await q.run('UPDATE scripts SET migration_tag = $1 WHERE id = $2', [m.toTag, scriptId])
        return { applied: true as const }
      })
    },
  }
}
