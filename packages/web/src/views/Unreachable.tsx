export function Unreachable({ retry }: { retry: () => void }) {
  return (
    <main className="centered" role="alert">
      <h1>Cannot reach the server</h1>
      <p>The pod server is not answering. Check your connection, or ask its administrator whether it is running.</p>
      <button type="button" onClick={retry} autoFocus>
        Try again
      </button>
    </main>
  );
}
