/** The out/err sinks the CLI commands write to, captured as strings for assertions. */
export function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: { write: (t: string) => out.push(t) }, err: { write: (t: string) => err.push(t) } },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}
