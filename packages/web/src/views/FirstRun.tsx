export function FirstRun({ retry }: { retry: () => void }) {
  return (
    <main className="centered">
      <h1>Welcome to Pod</h1>
      <p>This server has no accounts yet. An administrator creates the first one on the server itself:</p>
      <pre>npx pod user create NAME --admin --password-stdin</pre>
      <p>
        Type the password and press Enter (or pipe it in). Then reload this page and sign in with that name. The
        administrator creates further accounts the same way, without <code>--admin</code>.
      </p>
      <button type="button" onClick={retry}>
        I have created an account
      </button>
      <p className="muted">
        <a href="/welcome">What Pod is, and answers to common questions</a>
      </p>
    </main>
  );
}
