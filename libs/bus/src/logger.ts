/** Where the bus reports what it cannot throw: connection events, poison messages, handler errors. */
export interface BusLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

function write(level: string, message: string, fields: Record<string, unknown> | undefined): void {
  const line = JSON.stringify({ level, logger: 'bus', message, ...fields }, (_key, value: unknown) => {
    if (value instanceof Error) return { name: value.name, message: value.message };
    return typeof value === 'bigint' ? value.toString() : value;
  });
  process.stderr.write(`${line}\n`);
}

/** Default logger: warnings and errors as JSON lines on stderr; info is dropped. */
export const stderrLogger: BusLogger = {
  info: () => undefined,
  warn: (message, fields) => write('warn', message, fields),
  error: (message, fields) => write('error', message, fields),
};
