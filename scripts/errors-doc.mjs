// Prints the error table of docs/errors.md from the registry in src/domain/errors.ts (after a build).
// `node scripts/errors-doc.mjs > /tmp/t.md` and paste; test/unit/errors-doc.test.ts keeps them equal.
const { errorRegistry } = await import('../dist/src/domain/errors.js')
const rows = errorRegistry().map((e) => `| \`${e.name}\` | ${e.code} | ${e.status} |`)
console.log(['| error | code | HTTP status |', '| --- | --- | --- |', ...rows].join('\n'))
