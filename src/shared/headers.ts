// Imported by Node and by workerd, so no `node:` imports here.
/** Secret the host worker presents to Node's internal API; set per boot. */
export const HEADER_INTERNAL_SECRET = 'x-workerhive-internal-secret'
