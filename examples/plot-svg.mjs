/**
 * A small SVG scatter plot of 2-D data coloured by cluster, with each Gaussian component's mean and its 1σ and 2σ
 * ellipses. Plain SVG text, no dependency.
 */

// Okabe–Ito colours, distinguishable with the common forms of colour blindness.
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'];

/**
 * Axes of the ellipse { x : (x − μ)ᵀ Σ⁻¹ (x − μ) = r² } of a symmetric 2×2 covariance Σ = [[a, b], [b, c]]:
 * semi-axes r·√λ₁ ≥ r·√λ₂ (λ the eigenvalues of Σ) and the angle of the first eigenvector from the x axis, in degrees.
 */
export function ellipseAxes(cov, r) {
  const [[a, b], [, c]] = cov;
  const mid = (a + c) / 2;
  const half = Math.hypot((a - c) / 2, b);
  const l1 = mid + half;
  const l2 = Math.max(mid - half, 0);
  const angle = (Math.atan2(2 * b, a - c) / 2) * (180 / Math.PI);
  return { rx: r * Math.sqrt(l1), ry: r * Math.sqrt(l2), angle };
}

/** About `count` round tick values (steps of 1, 2 or 5 × 10ⁿ) inside [lo, hi]. */
function ticks(lo, hi, count = 6) {
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Data range covering the points and every component's 2σ ellipse, padded by 4 %. */
function extent(values, reach) {
  const lo = Math.min(...values, ...reach.map(([m, h]) => m - h));
  const hi = Math.max(...values, ...reach.map(([m, h]) => m + h));
  const pad = (hi - lo) * 0.04;
  return [lo - pad, hi + pad];
}

const f = (v, digits = 2) => Number(v.toFixed(digits));
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The plot as SVG text.
 * @param {object} o
 * @param {number[][]} o.points n rows of [x, y]
 * @param {ArrayLike<number>} o.labels cluster of each row
 * @param {{ weight: number, mean: ArrayLike<number>, cov: ArrayLike<number>[] }[]} o.components
 * @param {string} o.title
 * @param {string} o.xLabel
 * @param {string} o.yLabel
 */
export function scatterSvg({ points, labels, components, title, xLabel, yLabel }) {
  const width = 780;
  const height = 540;
  const left = 70;
  const right = 600;
  const top = 50;
  const bottom = 480;
  const sigmas = [1, 2];
  const rmax = Math.max(...sigmas);
  const reach = (j) => components.map((c) => [c.mean[j], rmax * Math.sqrt(c.cov[j][j])]);
  const [x0, x1] = extent(points.map((p) => p[0]), reach(0));
  const [y0, y1] = extent(points.map((p) => p[1]), reach(1));
  const sx = (right - left) / (x1 - x0);
  const sy = (bottom - top) / (y1 - y0);
  const px = (x) => left + (x - x0) * sx;
  const py = (y) => bottom - (y - y0) * sy;

  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${(left + right) / 2}" y="28" text-anchor="middle" font-size="16">${esc(title)}</text>`);

  // Axes: frame, ticks with labels, light grid lines.
  out.push(`<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="none" stroke="#333"/>`);
  for (const t of ticks(x0, x1)) {
    const x = f(px(t));
    out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" stroke="#eee"/>`);
    out.push(`<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 5}" stroke="#333"/>`);
    out.push(`<text class="tick-x" x="${x}" y="${bottom + 18}" text-anchor="middle">${t}</text>`);
  }
  for (const t of ticks(y0, y1)) {
    const y = f(py(t));
    out.push(`<line x1="${left}" y1="${y}" x2="${right}" y2="${y}" stroke="#eee"/>`);
    out.push(`<line x1="${left - 5}" y1="${y}" x2="${left}" y2="${y}" stroke="#333"/>`);
    out.push(`<text class="tick-y" x="${left - 8}" y="${y}" dy="4" text-anchor="end">${t}</text>`);
  }
  out.push(`<text x="${(left + right) / 2}" y="${bottom + 42}" text-anchor="middle" font-size="13">` +
    `${esc(xLabel)}</text>`);
  out.push(`<text transform="translate(22 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="13">` +
    `${esc(yLabel)}</text>`);

  out.push('<g stroke="white" stroke-width="0.5" fill-opacity="0.8">');
  points.forEach(([x, y], i) => {
    out.push(`<circle cx="${f(px(x))}" cy="${f(py(y))}" r="3.5" fill="${COLOURS[labels[i] % COLOURS.length]}"/>`);
  });
  out.push('</g>');

  // The axes have different scales, so an ellipse's axes on the page are not its axes in data units: the ellipses
  // are drawn from the covariance in page units, D Σ D with D = diag(sx, −sy) the data-to-page scaling.
  out.push('<g fill="none" stroke-width="2">');
  components.forEach((comp, c) => {
    const [[a, b], [, d]] = comp.cov;
    const pageCov = [[sx * sx * a, -sx * sy * b], [-sx * sy * b, sy * sy * d]];
    const x = f(px(comp.mean[0]));
    const y = f(py(comp.mean[1]));
    for (const r of sigmas) {
      const { rx, ry, angle } = ellipseAxes(pageCov, r);
      const dash = r > 1 ? ' stroke-dasharray="6 4"' : '';
      out.push(`<ellipse data-component="${c}" data-sigma="${r}" cx="${x}" cy="${y}" ` +
        `rx="${f(rx, 3)}" ry="${f(ry, 3)}" ` +
        `transform="rotate(${f(angle, 3)} ${x} ${y})" stroke="${COLOURS[c % COLOURS.length]}"${dash}/>`);
    }
  });
  out.push('</g>');

  // Means: a cross outlined in white, so it shows on top of the points.
  components.forEach((comp, c) => {
    const x = f(px(comp.mean[0]));
    const y = f(py(comp.mean[1]));
    const d = `M${x - 7} ${y - 7}L${x + 7} ${y + 7}M${x - 7} ${y + 7}L${x + 7} ${y - 7}`;
    out.push(`<path d="${d}" stroke="white" stroke-width="5"/>`);
    out.push(`<path d="${d}" stroke="${COLOURS[c % COLOURS.length]}" stroke-width="2.5"/>`);
  });

  // Legend.
  const lx = right + 20;
  out.push(`<text x="${lx}" y="${top + 4}" font-weight="bold">components</text>`);
  components.forEach((comp, c) => {
    const y = top + 24 + c * 22;
    out.push(`<rect x="${lx}" y="${y - 10}" width="12" height="12" fill="${COLOURS[c % COLOURS.length]}"/>`);
    out.push(`<text x="${lx + 18}" y="${y}">${c + 1}: weight ${comp.weight.toFixed(3)}</text>`);
  });
  const ly = top + 40 + components.length * 22;
  out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="#333" stroke-width="2"/>`);
  out.push(`<text x="${lx + 30}" y="${ly + 4}">1σ ellipse</text>`);
  out.push(`<line x1="${lx}" y1="${ly + 20}" x2="${lx + 24}" y2="${ly + 20}" stroke="#333" stroke-width="2" ` +
    'stroke-dasharray="6 4"/>');
  out.push(`<text x="${lx + 30}" y="${ly + 24}">2σ ellipse</text>`);
  out.push(`<text x="${lx}" y="${ly + 48}">× mean</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
