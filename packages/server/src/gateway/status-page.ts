/** The page at `/` until the web client lands: what this is and how to begin. */
export function statusPage(info: { version: string; startedAt: Date }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pod</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}pre{background:#f4f4f4;padding:.75rem;border-radius:6px;overflow:auto}</style>
</head><body>
<h1>Pod is running</h1>
<p>Version ${info.version}, up since ${info.startedAt.toISOString()}.</p>
<p>To create the first account, an administrator, run on the server:</p>
<pre>npx pod user create NAME --password-stdin --admin</pre>
<p>Then sign in with the <code>pod</code> command:</p>
<pre>npx pod login --server URL --user NAME --password-stdin</pre>
<p>Health: <a href="/healthz">/healthz</a> · Metrics: <a href="/metrics">/metrics</a></p>
</body></html>`;
}
