// Horizontal bar charts as plain SVG (no dependency): groups of bars, an optional min–max whisker
// per bar, references drawn grey beside nanofaas in blue, optional vertical limit lines.

const WIDTH = 760;
const LABEL_WIDTH = 300;
const BAR_HEIGHT = 16;
const GAP = 4;
const COLORS = { reference: '#9aa5b1', ours: '#2b6cb0', oursLight: '#90b4e0', referenceLight: '#cfd6dd' };

const escapeXml = (text) =>
  String(text).replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);

const format = (value) =>
  value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);

/**
 * @param {{title: string, unit: string, groups: {label: string, bars: {name: string, value: number, min?: number, max?: number, reference?: boolean, light?: boolean}[]}[], limits?: {value: number, label: string}[]}} chart
 */
export function barChart({ title, unit, groups, limits = [] }) {
  const values = groups.flatMap((g) => g.bars.flatMap((b) => [b.value, b.max ?? b.value]));
  const top = Math.max(...values.filter(Number.isFinite), ...limits.map((l) => l.value), 1e-9) * 1.12;
  const plot = WIDTH - LABEL_WIDTH - 20;
  const x = (v) => LABEL_WIDTH + (Math.max(0, v) / top) * plot;
  const rows = [];
  let y = 50;
  for (const group of groups) {
    if (group.label) {
      rows.push(`<text x="8" y="${y + 12}" font-weight="bold">${escapeXml(group.label)}</text>`);
      y += BAR_HEIGHT + GAP;
    }
    for (const bar of group.bars) {
      const color = bar.reference
        ? bar.light
          ? COLORS.referenceLight
          : COLORS.reference
        : bar.light
          ? COLORS.oursLight
          : COLORS.ours;
      const value = Number.isFinite(bar.value) ? bar.value : 0;
      rows.push(`<text x="${LABEL_WIDTH - 6}" y="${y + 12}" text-anchor="end">${escapeXml(bar.name)}</text>`);
      rows.push(
        `<rect x="${LABEL_WIDTH}" y="${y}" width="${(x(value) - LABEL_WIDTH).toFixed(1)}" height="${BAR_HEIGHT}" fill="${color}"/>`,
      );
      if (Number.isFinite(bar.min) && Number.isFinite(bar.max) && bar.max > bar.min) {
        const mid = y + BAR_HEIGHT / 2;
        rows.push(
          `<path d="M${x(bar.min).toFixed(1)} ${mid}H${x(bar.max).toFixed(1)}M${x(bar.min).toFixed(1)} ${mid - 4}V${mid + 4}M${x(bar.max).toFixed(1)} ${mid - 4}V${mid + 4}" stroke="#1a202c" stroke-width="1"/>`,
        );
      }
      rows.push(
        `<text x="${(Math.max(x(value), Number.isFinite(bar.max) ? x(bar.max) : 0) + 4).toFixed(1)}" y="${y + 12}">${Number.isFinite(bar.value) ? format(bar.value) : 'n/a'}</text>`,
      );
      y += BAR_HEIGHT + GAP;
    }
    y += GAP * 2;
  }
  for (const limit of limits) {
    rows.push(
      `<path d="M${x(limit.value).toFixed(1)} 44V${y}" stroke="#c53030" stroke-dasharray="4 3"/>`,
      `<text x="${(x(limit.value) + 3).toFixed(1)}" y="${y + 10}" fill="#c53030">${escapeXml(limit.label)}</text>`,
    );
    y += limits.length > 1 ? 12 : 0;
  }
  const height = y + 24;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="8" y="20" font-size="14" font-weight="bold">${escapeXml(title)} (${escapeXml(unit)})</text>`,
    `<text x="8" y="36" fill="#4a5568">grey: reference · blue: nanofaas · whiskers: min–max of the rounds</text>`,
    ...rows,
    '</svg>',
    '',
  ].join('\n');
}
