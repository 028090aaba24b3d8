/** Identifiers that are easy to swap get a brand; only parsers and the auth middleware create them. */
export type AccountId = string & { readonly __brand: 'AccountId' }
export type NamespaceId = string & { readonly __brand: 'NamespaceId' }
export type ScriptId = string & { readonly __brand: 'ScriptId' }
export type VersionId = string & { readonly __brand: 'VersionId' }
export type KvNamespaceId = string & { readonly __brand: 'KvNamespaceId' }
export type D1DatabaseId = string & { readonly __brand: 'D1DatabaseId' }
export type ZoneId = string & { readonly __brand: 'ZoneId' }
