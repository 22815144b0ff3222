import { PodError } from '@pod/protocol';
import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { MAX_XML_BYTES, parseXml, type XmlElement } from './xml.ts';

/** The request body as a stream: the DAV routes take every body unparsed. */
export function bodyStream(request: FastifyRequest): Readable {
  return (request.body as Readable | undefined) ?? request.raw;
}

/** Reads an XML request body of at most MAX_XML_BYTES (413 beyond) and parses it. */
export async function readXml(request: FastifyRequest): Promise<XmlElement | undefined> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_XML_BYTES) throw new PodError('too_large', `a WebDAV request body has at most ${MAX_XML_BYTES} bytes`);
  const pieces: Buffer[] = [];
  let length = 0;
  try {
    for await (const piece of bodyStream(request) as AsyncIterable<Buffer>) {
      length += piece.length;
      if (length > MAX_XML_BYTES) throw new PodError('too_large', `a WebDAV request body has at most ${MAX_XML_BYTES} bytes`);
      pieces.push(piece);
    }
  } catch (error) {
    if (error instanceof PodError) throw error;
    throw new PodError('invalid', `the request body could not be read (${(error as Error).message})`);
  }
  const text = Buffer.concat(pieces).toString('utf8');
  return parseXml(text);
}

/** Drains a body the method does not use (so the connection stays usable); MKCOL with a body is 415. */
export async function hasBody(request: FastifyRequest): Promise<boolean> {
  let any = false;
  for await (const piece of bodyStream(request) as AsyncIterable<Buffer>) if (piece.length > 0) any = true;
  return any;
}
