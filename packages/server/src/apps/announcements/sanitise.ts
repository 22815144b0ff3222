import { PodError } from '@pod/protocol';
import type { Config, DOMPurify } from 'dompurify';
import { Marked } from 'marked';

/**
 * What an announcement may contain: formatting, lists, tables, quotes, code and links. No
 * scripts, styles, event handlers, forms, frames or images (an image would be a tracking
 * pixel, and the pod application's CSP refuses other origins' images anyway).
 */
const policy: Config = {
  ALLOWED_TAGS: ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'strong', 'b', 'em', 'i', 'u', 's', 'del', 'ins', 'mark', 'small', 'sub', 'sup', 'code', 'pre', 'kbd', 'blockquote', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'caption'],
  ALLOWED_ATTR: ['href', 'title', 'start', 'colspan', 'rowspan'],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  // http, https and mailto links, and links within the pod; every other scheme (javascript:, data:, vbscript:, ...) goes.
  ALLOWED_URI_REGEXP: /^(?:(?:https?|mailto):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i,
};

// A parser of its own: marked's global options are shared with anything else in the process.
const markdown = new Marked({ gfm: true, breaks: false, async: false });

let purifier: Promise<DOMPurify> | undefined;

/**
 * DOMPurify on jsdom: both parse HTML as a browser does (parse5, the HTML standard's
 * algorithm), so what is checked is what the browser will build. jsdom is loaded on the first
 * post only: it costs a few hundred milliseconds a process need not pay at start.
 */
function purify(): Promise<DOMPurify> {
  purifier ??= Promise.all([import('jsdom'), import('dompurify')]).then(([{ JSDOM }, { default: createDOMPurify }]) => {
    const instance = createDOMPurify(new JSDOM('').window as unknown as Parameters<typeof createDOMPurify>[0]);
    // Links leave the pod in a new tab and tell the other site nothing about where they came from.
    instance.addHook('afterSanitizeAttributes', (node) => {
      if (node.nodeName !== 'A') return;
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer nofollow');
    });
    return instance;
  });
  return purifier;
}

/** An announcement as the HTML clients may render: Markdown converted, then everything outside the policy removed. */
export async function announcementHtml(input: { markdown?: string; html?: string }): Promise<{ format: 'markdown' | 'html'; source: string; html: string }> {
  const format = input.markdown !== undefined ? 'markdown' : 'html';
  const source = input.markdown ?? input.html ?? '';
  const raw = format === 'markdown' ? (markdown.parse(source) as string) : source;
  const body = (await purify()).sanitize(raw, { ...policy, RETURN_DOM: true });
  if ((body.textContent ?? '').trim() === '') throw new PodError('invalid', 'the announcement has no text once scripts and unsupported markup are removed');
  return { format, source, html: body.innerHTML.trim() };
}
