// Placeholder of a generated module: `__workerhive/main.js` is the customer's main module wrapped
// (main-module.worker.ts); modules here see only its default export, whatever it is.
const handlers: unknown = undefined
export default handlers
