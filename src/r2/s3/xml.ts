/** Minimal XML for S3's answers and the two request bodies it reads (DeleteObjects, CompleteMultipartUpload). */
export const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')

const unescapeXml = (s: string): string =>
  s
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&')

/** A node: `<Name>text</Name>` or `<Name>children</Name>`; undefined values are left out. */
export type XmlNode = [string, string | number | boolean | XmlNode[] | undefined]

export function xml(root: string, children: XmlNode[], ns = 'http://s3.amazonaws.com/doc/2006-03-01/'): string {
  const render = (nodes: XmlNode[]): string =>
    nodes
      .filter(([, v]) => v !== undefined)
      .map(([name, v]) => `<${name}>${Array.isArray(v) ? render(v) : escapeXml(String(v))}</${name}>`)
      .join('')
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${ns ? ` xmlns="${ns}"` : ''}>${render(children)}</${root}>`
}

/** The inner texts of every `<name>` element (not nested in another of the same name). */
export function elements(text: string, name: string): string[] {
  const out: string[] = []
  const re = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`, 'g')
  for (const m of text.matchAll(re)) out.push(m[1]!)
  return out
}

export const textOf = (text: string, name: string): string | undefined => {
  const e = elements(text, name)[0]
  return e === undefined ? undefined : unescapeXml(e.trim())
}
