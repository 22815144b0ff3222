export default function Files() {
  return (
    <section aria-label="Files">
      <h2>Files</h2>
      <p className="muted">The files view is not in this version of the pod application yet. Use the <code>pod</code> command to upload and download files.</p>
    </section>
  );
}
