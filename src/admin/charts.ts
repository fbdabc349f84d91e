/**
 * Server-rendered SVG charts for the dashboard (pure: data in, markup out). Each scales to its container
 * (a viewBox, width 100%), so it never runs off the page; every point has a <title> for its value.
 */
export interface Series {
  name: string;
  /** A CSS colour. */
  color: string;
  values: number[];
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** A nice upper bound for the y axis. */
function ceiling(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= max)!;
}

/** A line chart of `series` over `labels` (one value per label), titled, with a legend. */
export function lineChart(o: { title: string; labels: string[]; series: Series[]; unit?: string }): string {
  const W = 640;
  const H = 220;
  const L = 48;
  const R = 12;
  const T = 28;
  const B = 34;
  const n = Math.max(1, o.labels.length);
  const top = ceiling(Math.max(0, ...o.series.flatMap((s) => s.values)));
  const x = (i: number) => L + (n === 1 ? 0 : (i * (W - L - R)) / (n - 1));
  const y = (v: number) => T + (H - T - B) * (1 - v / top);
  const unit = o.unit ?? "";
  const grid = [0, 0.5, 1]
    .map(
      (f) =>
        `<line x1="${L}" x2="${W - R}" y1="${y(top * f)}" y2="${y(top * f)}" stroke="#ddd"/><text x="${L - 6}" y="${y(top * f) + 4}" text-anchor="end" font-size="11" fill="#555">${Number((top * f).toFixed(top < 10 ? 1 : 0))}${unit}</text>`,
    )
    .join("");
  const every = Math.max(1, Math.ceil(n / 8));
  const ticks = o.labels
    .map((l, i) =>
      i % every === 0 || i === n - 1
        ? `<text x="${x(i)}" y="${H - B + 16}" text-anchor="middle" font-size="11" fill="#555">${esc(l)}</text>`
        : "",
    )
    .join("");
  const lines = o.series
    .map((s) => {
      const pts = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
      const dots = s.values
        .map(
          (v, i) =>
            `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2.5" fill="${s.color}"><title>${esc(`${s.name} ${o.labels[i]}: ${v}${unit}`)}</title></circle>`,
        )
        .join("");
      return `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts}"/>${dots}`;
    })
    .join("");
  const legend = o.series
    .map(
      (s, i) =>
        `<rect x="${L + i * 120}" y="8" width="10" height="10" fill="${s.color}"/><text x="${L + i * 120 + 14}" y="17" font-size="12">${esc(s.name)}</text>`,
    )
    .join("");
  return `<figure class="chart"><svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(o.title)}"><title>${esc(o.title)}</title>${grid}${ticks}${lines}${legend}</svg><figcaption>${esc(o.title)}</figcaption></figure>`;
}
