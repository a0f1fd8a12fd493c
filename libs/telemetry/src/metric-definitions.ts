import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { MetricsError } from './telemetry-errors.js';

/** Kinds of metric that can be defined. */
export type MetricKind = 'counter' | 'gauge' | 'histogram';

/** One line of the metric glossary: the metric's documentation, exportable to docs. */
export interface MetricGlossaryEntry {
  name: string;
  kind: MetricKind;
  help: string;
  labelNames: readonly string[];
}

/** What defines a metric: its name (`vrft_<area>_<name>`), one line of help and its labels. */
export interface MetricSpec<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

/** A histogram's spec; `buckets` are upper bounds in the metric's unit. */
export interface HistogramSpec<L extends string> extends MetricSpec<L> {
  /** Default: prom-client's (0.005 .. 10, for seconds). */
  buckets?: readonly number[];
}

// vrft_<area>_<name>: lower snake case, area one word, name at least one word.
const METRIC_NAME = /^vrft_[a-z][a-z0-9]*_[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const LABEL_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Checks the naming convention: `vrft_<area>_<name>`, lower snake case; counters end in
 * `_total` and nothing else does. Throws MetricsError saying what is wrong.
 */
export function assertMetricName(name: string, kind: MetricKind): void {
  if (!METRIC_NAME.test(name)) {
    throw new MetricsError(`metric name ${JSON.stringify(name)} must look like vrft_<area>_<name> (lower snake case)`);
  }
  if (kind === 'counter' && !name.endsWith('_total')) {
    throw new MetricsError(`counter ${name} must end in _total`);
  }
  if (kind !== 'counter' && name.endsWith('_total')) {
    throw new MetricsError(`${kind} ${name} must not end in _total (reserved for counters)`);
  }
}

// Process-wide: every metric defined by any registry, for the docs. Several registries (tests,
// several apps in one process) may define the same metric, but only with the same definition.
const glossary = new Map<string, MetricGlossaryEntry>();

function recordDefinition(kind: MetricKind, spec: MetricSpec<string>): void {
  assertMetricName(spec.name, kind);
  if (spec.help.trim() === '' || spec.help.includes('\n')) {
    throw new MetricsError(`metric ${spec.name} needs a one-line help text`);
  }
  const labelNames = [...(spec.labelNames ?? [])];
  for (const label of labelNames) {
    if (!LABEL_NAME.test(label)) throw new MetricsError(`metric ${spec.name}: bad label name ${JSON.stringify(label)}`);
  }
  const entry: MetricGlossaryEntry = { name: spec.name, kind, help: spec.help, labelNames };
  const known = glossary.get(spec.name);
  if (known !== undefined && JSON.stringify(known) !== JSON.stringify(entry)) {
    throw new MetricsError(`metric ${spec.name} is already defined differently: ${JSON.stringify(known)}`);
  }
  glossary.set(spec.name, entry);
}

function registerIn<M>(registry: Registry, name: string, create: () => M): M {
  if (registry.getSingleMetric(name) !== undefined) {
    throw new MetricsError(`metric ${name} is already registered in this registry`);
  }
  return create();
}

/** Defines a counter in `registry` and records it in the glossary. */
export function defineCounter<L extends string = never>(registry: Registry, spec: MetricSpec<L>): Counter<L> {
  recordDefinition('counter', spec);
  return registerIn(registry, spec.name, () => new Counter<L>({ ...labelled(spec), registers: [registry] }));
}

/** Defines a gauge in `registry` and records it in the glossary. */
export function defineGauge<L extends string = never>(registry: Registry, spec: MetricSpec<L>): Gauge<L> {
  recordDefinition('gauge', spec);
  return registerIn(registry, spec.name, () => new Gauge<L>({ ...labelled(spec), registers: [registry] }));
}

/** Defines a histogram in `registry` and records it in the glossary. */
export function defineHistogram<L extends string = never>(registry: Registry, spec: HistogramSpec<L>): Histogram<L> {
  recordDefinition('histogram', spec);
  const buckets = spec.buckets === undefined ? {} : { buckets: [...spec.buckets] };
  return registerIn(
    registry,
    spec.name,
    () => new Histogram<L>({ ...labelled(spec), ...buckets, registers: [registry] }),
  );
}

function labelled<L extends string>(spec: MetricSpec<L>): { name: string; help: string; labelNames: L[] } {
  return { name: spec.name, help: spec.help, labelNames: [...(spec.labelNames ?? [])] };
}

/** Every metric defined so far in this process, sorted by name. */
export function listMetricGlossary(): MetricGlossaryEntry[] {
  return [...glossary.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The glossary as a Markdown table, one metric per line, for docs/metrics.md. */
export function renderMetricGlossary(entries: readonly MetricGlossaryEntry[] = listMetricGlossary()): string {
  const rows = entries.map(
    (entry) =>
      `| \`${entry.name}\` | ${entry.kind} | ${entry.labelNames.join(', ')} | ${entry.help.replace(/\|/g, '\\|')} |`,
  );
  return ['| metric | kind | labels | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}
