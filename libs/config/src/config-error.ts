/** Where a config value came from: an environment variable, a JSON file, or nowhere (missing). */
export type ConfigSource =
  | { kind: 'env'; name: string }
  | { kind: 'file'; path: string }
  | { kind: 'missing'; name: string }
  | { kind: 'options' };

/** One problem found while loading config; `path` is the dotted field path ('' for the whole config). */
export interface ConfigIssue {
  path: string;
  source: ConfigSource;
  message: string;
}

/**
 * Thrown when configuration cannot be loaded: a bad value, an unknown variable, an unreadable
 * or malformed file, or a schema the loader cannot map. The message lists every issue, one per
 * line, each naming the source (variable name or file path), the field path and what was expected.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** Every problem found, in the order reported. */
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
    super(issues.map(formatIssue).join('\n'), options);
    this.issues = issues;
  }
}

/** Renders one issue as `SOURCE (field.path): message`. */
function formatIssue(issue: ConfigIssue): string {
  const where = describeSource(issue.source);
  const field = issue.path === '' ? '' : ` (${issue.path})`;
  return `${where}${field}: ${issue.message}`;
}

function describeSource(source: ConfigSource): string {
  switch (source.kind) {
    case 'env':
    case 'missing':
      return source.name;
    case 'file':
      return source.path;
    case 'options':
      return 'loadConfig options';
  }
}
