import cliProgress from 'cli-progress';
import { formatBytes } from './units.ts';

/** How far a transfer of several files has come, drawn on a terminal or not at all. */
export interface TransferProgress {
  /** `done` of the total bytes are through; `label` says what is under way. */
  update(done: number, files: number, label: string): void;
  stop(): void;
}

const silent: TransferProgress = { update() {}, stop() {} };

/**
 * A bar on stderr when a person watches it: stderr is a terminal, and stdout is not the same
 * terminal receiving JSON lines (they would tear the bar apart). Piped or redirected, nothing
 * is drawn, so logs and scripts get no control characters.
 */
export function transferProgress(options: { verb: string; totalBytes: number; totalFiles: number; json: boolean; enabled: boolean }): TransferProgress {
  if (!options.enabled || !process.stderr.isTTY || (options.json && process.stdout.isTTY)) return silent;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${options.verb} [{bar}] {percentage}% | {bytes} of {total_bytes} | {files} of {total_files} files | {label}`,
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      // A long file name must not wrap the line: the bar redraws only the line it is on.
      linewrap: false,
      fps: 8,
    },
    cliProgress.Presets.shades_classic,
  );
  const total = Math.max(options.totalBytes, 1);
  bar.start(total, 0, { bytes: formatBytes(0), total_bytes: formatBytes(options.totalBytes), files: 0, total_files: options.totalFiles, label: '' });
  return {
    update(done, files, label) {
      bar.update(Math.min(done, total), { bytes: formatBytes(done), files, label: shorten(label, 40) });
    },
    stop() {
      bar.stop();
    },
  };
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}
