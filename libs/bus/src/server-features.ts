/** Parses `major.minor.patch` (ignoring a pre-release suffix); undefined when unreadable. */
function parseVersion(version: string): [number, number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (match === null) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/**
 * Whether the server understands `+TERM <reason>`. Older servers take the
 * reasoned form for an unknown ack and redeliver the message, so the reason
 * must be left out there (nats-server 2.10.4 added it).
 */
export function supportsTermReason(serverVersion: string | undefined): boolean {
  const v = serverVersion === undefined ? undefined : parseVersion(serverVersion);
  if (v === undefined) return false;
  const [major, minor, patch] = v;
  return major > 2 || (major === 2 && (minor > 10 || (minor === 10 && patch >= 4)));
}
