import type { PodClient } from '@pod/sdk';

/**
 * Calls `reload` after files change, at most once per `ms`: a burst of changes (a thousand
 * items made by a script, a folder of uploads) makes one reload, not one per item.
 */
export function onFilesChanged(client: PodClient, reload: () => void, ms = 400): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const off = client.on('files.changed', () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      reload();
    }, ms);
  });
  return () => {
    off();
    if (timer) clearTimeout(timer);
  };
}
