/**
 * Content types by file name extension: what a download says it is, what search filters on.
 * A short table of what people keep, not all of IANA's; anything else is
 * application/octet-stream, which every client can at least save.
 */
const byExtension: Record<string, string> = {
  txt: 'text/plain', md: 'text/markdown', csv: 'text/csv', tsv: 'text/tab-separated-values', log: 'text/plain',
  html: 'text/html', htm: 'text/html', css: 'text/css', xml: 'application/xml', json: 'application/json',
  js: 'text/javascript', mjs: 'text/javascript', ts: 'text/plain', yaml: 'application/yaml', yml: 'application/yaml',
  ics: 'text/calendar', vcf: 'text/vcard', rtf: 'application/rtf',
  pdf: 'application/pdf', epub: 'application/epub+zip',
  doc: 'application/msword', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint', pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text', ods: 'application/vnd.oasis.opendocument.spreadsheet',
  odp: 'application/vnd.oasis.opendocument.presentation',
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', avif: 'image/avif',
  heic: 'image/heic', svg: 'image/svg+xml', bmp: 'image/bmp', tif: 'image/tiff', tiff: 'image/tiff', ico: 'image/vnd.microsoft.icon',
  mp3: 'audio/mpeg', m4a: 'audio/mp4', aac: 'audio/aac', ogg: 'audio/ogg', oga: 'audio/ogg', opus: 'audio/opus', flac: 'audio/flac', wav: 'audio/wav',
  mp4: 'video/mp4', m4v: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm', mkv: 'video/x-matroska', avi: 'video/x-msvideo', ogv: 'video/ogg',
  zip: 'application/zip', gz: 'application/gzip', tgz: 'application/gzip', bz2: 'application/x-bzip2', xz: 'application/x-xz',
  zst: 'application/zstd', '7z': 'application/x-7z-compressed', rar: 'application/vnd.rar', tar: 'application/x-tar',
  iso: 'application/x-iso9660-image', dmg: 'application/x-apple-diskimage', apk: 'application/vnd.android.package-archive',
  woff: 'font/woff', woff2: 'font/woff2', ttf: 'font/ttf', otf: 'font/otf',
};

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** The content type a name suggests, from its last extension (any case). */
export function contentTypeOf(name: string): string {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return DEFAULT_CONTENT_TYPE;
  return byExtension[name.slice(dot + 1).toLowerCase()] ?? DEFAULT_CONTENT_TYPE;
}
