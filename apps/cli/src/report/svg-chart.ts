/**
 * Line charts as one standalone SVG file: a grid of panels, each with its axes, ticks on 1-2-5
 * steps and one polyline per series, and a legend shared by all panels (a series keeps its colour
 * everywhere). No dependencies, so `vrft train plot` and the figures in docs/ need nothing installed.
 */

/** One line: (x, y) points; points with a non-finite coordinate are skipped. */
export interface ChartSeries {
  readonly label: string;
  readonly points: readonly (readonly [number, number])[];
}

/** One panel: a titled pair of axes. */
export interface ChartPanel {
  readonly title: string;
  readonly xLabel: string;
  readonly series: readonly ChartSeries[];
}

/** Layout of the figure. */
export interface ChartLayout {
  readonly title: string;
  /** Panels per row. Default 2. */
  readonly columns: number;
  readonly panelWidth: number;
  readonly panelHeight: number;
}

const DEFAULT_LAYOUT: ChartLayout = { title: '', columns: 2, panelWidth: 460, panelHeight: 280 };

// Colour-blind-safe palette (Okabe–Ito), then greys.
const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#d55e00', '#cc79a7', '#56b4e9', '#f0e442', '#000000', '#777777'];
const MARGIN = { left: 58, right: 14, top: 30, bottom: 40 };
const LEGEND_ROW = 20;

/** Ticks covering [min, max] at a 1, 2 or 5 × 10^k step, about `count` of them. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max))
    throw new RangeError(`ticks of a non-finite range [${min}, ${max}]`);
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const rough = (max - min) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= rough) ?? 10) * magnitude;
  const first = Math.floor(min / step);
  const last = Math.ceil(max / step);
  const ticks: number[] = [];
  // Multiplying an integer by the step (not adding steps) keeps 0.1 + 0.2 style drift out of labels.
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/** A tick label: short, exact for nice numbers. */
export function formatTick(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs < 1e-3 || abs >= 1e6) return value.toExponential(0).replace('e+', 'e');
  return String(Number(value.toPrecision(4)));
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** [min, max] of one coordinate, by a loop: spreading a long run's points into Math.min overflows the stack. */
function extent(points: readonly (readonly [number, number])[], axis: 0 | 1): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const point of points) {
    min = Math.min(min, point[axis]);
    max = Math.max(max, point[axis]);
  }
  return [min, max];
}

const fixed = (n: number): string => String(Math.round(n * 10) / 10);

function renderPanel(
  panel: ChartPanel,
  x0: number,
  y0: number,
  layout: ChartLayout,
  colour: (label: string) => string,
) {
  const width = layout.panelWidth - MARGIN.left - MARGIN.right;
  const height = layout.panelHeight - MARGIN.top - MARGIN.bottom;
  const left = x0 + MARGIN.left;
  const top = y0 + MARGIN.top;
  const points = panel.series.map((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  const all = points.flat();
  const parts = [
    `<text x="${fixed(left + width / 2)}" y="${fixed(y0 + 18)}" text-anchor="middle" font-weight="bold">${escapeXml(panel.title)}</text>`,
    `<rect x="${fixed(left)}" y="${fixed(top)}" width="${fixed(width)}" height="${fixed(height)}" fill="none" stroke="#999"/>`,
  ];
  if (all.length === 0) {
    parts.push(
      `<text x="${fixed(left + width / 2)}" y="${fixed(top + height / 2)}" text-anchor="middle" fill="#777">no data</text>`,
    );
    return parts.join('\n');
  }
  const xTicks = niceTicks(...extent(all, 0));
  const yTicks = niceTicks(...extent(all, 1));
  const [xMin, xMax] = [xTicks[0] as number, xTicks[xTicks.length - 1] as number];
  const [yMin, yMax] = [yTicks[0] as number, yTicks[yTicks.length - 1] as number];
  const sx = (x: number) => left + ((x - xMin) / (xMax - xMin)) * width;
  const sy = (y: number) => top + height - ((y - yMin) / (yMax - yMin)) * height;
  for (const t of xTicks)
    parts.push(
      `<line x1="${fixed(sx(t))}" y1="${fixed(top + height)}" x2="${fixed(sx(t))}" y2="${fixed(top + height + 4)}" stroke="#999"/>`,
      `<text x="${fixed(sx(t))}" y="${fixed(top + height + 16)}" text-anchor="middle">${formatTick(t)}</text>`,
    );
  for (const t of yTicks)
    parts.push(
      `<line x1="${fixed(left)}" y1="${fixed(sy(t))}" x2="${fixed(left + width)}" y2="${fixed(sy(t))}" stroke="#eee"/>`,
      `<text x="${fixed(left - 6)}" y="${fixed(sy(t) + 4)}" text-anchor="end">${formatTick(t)}</text>`,
    );
  parts.push(
    `<text x="${fixed(left + width / 2)}" y="${fixed(top + height + 32)}" text-anchor="middle" fill="#555">${escapeXml(panel.xLabel)}</text>`,
  );
  panel.series.forEach((series, i) => {
    const own = points[i] ?? [];
    if (own.length === 0) return;
    const stroke = colour(series.label);
    const coords = own.map(([x, y]) => `${fixed(sx(x))},${fixed(sy(y))}`).join(' ');
    parts.push(
      `<polyline data-series="${escapeXml(series.label)}" points="${coords}" fill="none" stroke="${stroke}" stroke-width="1.8"/>`,
    );
    // Sparse series (evaluations every N updates) get markers, so single points show.
    if (own.length <= 40)
      for (const [x, y] of own)
        parts.push(`<circle cx="${fixed(sx(x))}" cy="${fixed(sy(y))}" r="2.5" fill="${stroke}"/>`);
  });
  return parts.join('\n');
}

/** The SVG document of `panels` laid out in a grid, with one legend for every series label. */
export function renderLineCharts(panels: readonly ChartPanel[], layoutInput: Partial<ChartLayout> = {}): string {
  const layout = { ...DEFAULT_LAYOUT, ...layoutInput };
  if (!Number.isInteger(layout.columns) || layout.columns < 1)
    throw new RangeError(`columns must be an integer ≥ 1, got ${layout.columns}`);
  const labels = [...new Set(panels.flatMap((p) => p.series.map((s) => s.label)))];
  const colour = (label: string) => PALETTE[labels.indexOf(label) % PALETTE.length] as string;
  const columns = Math.min(layout.columns, Math.max(1, panels.length));
  const rows = Math.ceil(panels.length / columns);
  const header = layout.title === '' ? 0 : 28;
  const legendTop = header + rows * layout.panelHeight;
  const width = columns * layout.panelWidth;
  const height = legendTop + labels.length * LEGEND_ROW + 12;
  const body = panels.map((panel, i) =>
    renderPanel(
      panel,
      (i % columns) * layout.panelWidth,
      header + Math.floor(i / columns) * layout.panelHeight,
      layout,
      colour,
    ),
  );
  const legend = labels.map((label, i) => {
    const y = legendTop + i * LEGEND_ROW + 10;
    return (
      `<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + 24}" y2="${y}" stroke="${colour(label)}" stroke-width="3"/>` +
      `<text x="${MARGIN.left + 32}" y="${y + 4}">${escapeXml(label)}</text>`
    );
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...(layout.title === ''
      ? []
      : [
          `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(layout.title)}</text>`,
        ]),
    ...body,
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}
