import { PodError } from '@pod/protocol';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * XML for WebDAV, on fast-xml-parser (pinned; maintained, no native code, runs on Node 20).
 * Pod speaks the protocol itself rather than through an npm WebDAV server: `webdav-server` 2.x
 * has had no commit since 2019 and its process dies on a malformed PROPPATCH or lock token,
 * and `nephele` is an alpha that misses Overwrite, bad-XML and lock cases. fast-xml-parser
 * keeps prefixes as written, so namespaces are resolved here, once, into `{ ns, name }`.
 */
export interface XmlElement {
  ns: string;
  name: string;
  children: XmlElement[];
  /** The text directly inside, concatenated. */
  text: string;
  /** The element's content as XML (for dead property values), with namespaces declared. */
  inner: string;
}

export const DAV = 'DAV:';
/** A request body larger than this is refused: no DAV request needs more. */
export const MAX_XML_BYTES = 1024 * 1024;
const MAX_DEPTH = 64;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
});

type Raw = Record<string, unknown>;

function bad(message: string): PodError {
  return new PodError('invalid', `the request body is not valid XML: ${message}`);
}

/** Parses a request body; an empty one is undefined. Bad XML, a DTD or a body too deep is `invalid`. */
export function parseXml(text: string): XmlElement | undefined {
  if (text.trim() === '') return undefined;
  // A DTD could declare entities that expand without bound; no DAV client sends one.
  if (/<!DOCTYPE/i.test(text)) throw bad('a DOCTYPE is not accepted');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw bad(valid.err.msg);
  let raw: Raw[];
  try {
    raw = parser.parse(text) as Raw[];
  } catch (error) {
    throw bad((error as Error).message);
  }
  const roots = raw.map((node) => toElement(node, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]), 0)).filter((e): e is XmlElement => e !== undefined);
  if (roots.length !== 1) throw bad('expected one root element');
  return roots[0];
}

function tagOf(node: Raw): string | undefined {
  return Object.keys(node).find((key) => key !== ':@' && key !== '#text');
}

function toElement(node: Raw, scope: Map<string, string>, depth: number): XmlElement | undefined {
  const tag = tagOf(node);
  if (tag === undefined) return undefined;
  if (depth > MAX_DEPTH) throw bad(`elements nest more than ${MAX_DEPTH} deep`);
  const attributes = (node[':@'] ?? {}) as Record<string, string>;
  const inScope = new Map(scope);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'xmlns') inScope.set('', value);
    else if (key.startsWith('xmlns:')) inScope.set(key.slice(6), value);
  }
  const colon = tag.indexOf(':');
  const prefix = colon < 0 ? '' : tag.slice(0, colon);
  const name = colon < 0 ? tag : tag.slice(colon + 1);
  const ns = inScope.get(prefix);
  if (ns === undefined && prefix !== '') throw bad(`the prefix "${prefix}" is not declared`);
  const children: XmlElement[] = [];
  let text = '';
  let inner = '';
  for (const child of (node[tag] ?? []) as Raw[]) {
    if ('#text' in child) {
      const piece = String(child['#text']);
      text += piece;
      inner += escapeXml(piece);
      continue;
    }
    const element = toElement(child, inScope, depth + 1);
    if (!element) continue;
    children.push(element);
    inner += serialize(element);
  }
  return { ns: ns ?? '', name, children, text, inner };
}

function serialize(element: XmlElement): string {
  return `<${element.name} xmlns="${escapeXml(element.ns)}">${element.inner}</${element.name}>`;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function child(element: XmlElement | undefined, ns: string, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.ns === ns && c.name === name);
}

export function isDav(element: XmlElement, name: string): boolean {
  return element.ns === DAV && element.name === name;
}

/** An element in the DAV: namespace (prefix D) or another (declared on it), with `content` already XML. */
export function element(ns: string, name: string, content = ''): string {
  if (ns === DAV) return content === '' ? `<D:${name}/>` : `<D:${name}>${content}</D:${name}>`;
  const attr = ns === '' ? ' xmlns=""' : ` xmlns="${escapeXml(ns)}"`;
  return content === '' ? `<${name}${attr}/>` : `<${name}${attr}>${content}</${name}>`;
}

export function davDocument(root: string, content: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<D:${root} xmlns:D="DAV:">${content}</D:${root}>\n`;
}
