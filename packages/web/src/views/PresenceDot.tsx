export function PresenceDot({ status }: { status: string }) {
  return <span className={`dot dot-${status}`} role="img" aria-label={status} title={status} />;
}
