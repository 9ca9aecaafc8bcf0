/**
 * Plain-canvas plotting for the demo: a 2-D data view (axes, points, Gaussian ellipses) and line charts.
 */

/** Okabe–Ito colours (distinguishable with the common forms of colour blindness), then four more. */
export const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000',
  '#8C564B', '#7F7F7F', '#17BECF', '#BCBD22'];

/** A colour as [r, g, b] (0–255). */
export function rgb(hex) {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/**
 * A canvas sized for the device's pixel ratio; drawing uses CSS pixels.
 * @param {HTMLCanvasElement} canvas
 */
export function context2d(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const width = Number(canvas.getAttribute('width'));
  const height = Number(canvas.getAttribute('height'));
  if (canvas.dataset.ratio !== String(ratio)) {
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.dataset.ratio = String(ratio);
    canvas.dataset.w = String(width);
    canvas.dataset.h = String(height);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { ctx, width: Number(canvas.dataset.w), height: Number(canvas.dataset.h) };
}

/**
 * About `count` round tick values (steps of 1, 2 or 5 × 10ⁿ) inside [lo, hi]; the rule of `examples/plot-svg.mjs`,
 * which the page cannot import (the demo server serves only `examples/web/`, `dist/` and `examples/data/`).
 */
export function ticks(lo, hi, count = 6) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function tickLabel(v) {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(1);
  return String(Number(v.toPrecision(6)));
}

/**
 * A rectangle of the canvas mapped to data coordinates.
 * @param {{ x0: number, x1: number, y0: number, y1: number }} range data ranges
 * @param {{ left: number, top: number, right: number, bottom: number }} box canvas pixels
 */
export function makeView(range, box) {
  const sx = (box.right - box.left) / (range.x1 - range.x0);
  const sy = (box.bottom - box.top) / (range.y1 - range.y0);
  return {
    range, box,
    px: (x) => box.left + (x - range.x0) * sx,
    py: (y) => box.bottom - (y - range.y0) * sy,
    /** Data coordinates of a canvas pixel. */
    invert: (px, py) => [range.x0 + (px - box.left) / sx, range.y0 + (box.bottom - py) / sy],
  };
}

/** The range of values, padded by `pad` of its width on each side (a unit range around a single value). */
export function paddedRange(values, pad = 0.06) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return [0, 1];
  if (hi - lo < 1e-9) return [lo - 0.5, hi + 0.5];
  const p = (hi - lo) * pad;
  return [lo - p, hi + p];
}

/**
 * Frame, ticks, grid and axis labels of a view.
 * @param {CanvasRenderingContext2D} ctx
 */
export function drawAxes(ctx, view, { xLabel = '', yLabel = '', title = '', integerX = false } = {}) {
  const { box, range, px, py } = view;
  ctx.save();
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#333';
  ctx.strokeStyle = '#e4e4e4';
  ctx.lineWidth = 1;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of ticks(range.x0, range.x1)) {
    if (integerX && !Number.isInteger(t)) continue;
    const x = Math.round(px(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, box.top);
    ctx.lineTo(x, box.bottom);
    ctx.stroke();
    ctx.fillText(tickLabel(t), x, box.bottom + 4);
  }
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of ticks(range.y0, range.y1, 5)) {
    const y = Math.round(py(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(box.left, y);
    ctx.lineTo(box.right, y);
    ctx.stroke();
    ctx.fillText(tickLabel(t), box.left - 4, y);
  }
  ctx.strokeStyle = '#666';
  ctx.strokeRect(box.left + 0.5, box.top + 0.5, box.right - box.left, box.bottom - box.top);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'alphabetic';
  if (xLabel) ctx.fillText(xLabel, (box.left + box.right) / 2, box.bottom + 30);
  if (title) {
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillText(title, (box.left + box.right) / 2, box.top - 8);
  }
  if (yLabel) {
    ctx.translate(box.left - 42, (box.top + box.bottom) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(yLabel, 0, 0);
  }
  ctx.restore();
}

/**
 * Axes of the ellipse { x : (x − μ)ᵀ Σ⁻¹ (x − μ) = r² } of a symmetric 2×2 covariance Σ = [[a, b], [b, c]]:
 * semi-axes r·√λ₁ ≥ r·√λ₂ (λ the eigenvalues of Σ) and the angle of the first eigenvector from the x axis (radians).
 */
export function ellipseAxes(cov, r) {
  const a = cov[0][0];
  const b = cov[0][1];
  const c = cov[1][1];
  const mid = (a + c) / 2;
  const half = Math.hypot((a - c) / 2, b);
  return {
    rx: r * Math.sqrt(mid + half),
    ry: r * Math.sqrt(Math.max(mid - half, 0)),
    angle: Math.atan2(2 * b, a - c) / 2,
  };
}

/**
 * The ellipse of radius `r` (in standard deviations) of a 2-D Gaussian, traced in canvas coordinates (a polygon,
 * since the x and y scales differ).
 */
export function traceEllipse(ctx, view, mean, cov, r) {
  const { rx, ry, angle } = ellipseAxes(cov, r);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  ctx.beginPath();
  for (let i = 0; i <= 96; i++) {
    const t = (i / 96) * 2 * Math.PI;
    const u = rx * Math.cos(t);
    const v = ry * Math.sin(t);
    const x = view.px(mean[0] + u * cos - v * sin);
    const y = view.py(mean[1] + u * sin + v * cos);
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  }
  ctx.closePath();
}

/**
 * Line chart of one or more series.
 * @param {HTMLCanvasElement} canvas
 * @param {{ label: string, colour: string, points: [number, number][], dashed?: boolean, marks?: [number, number][] }[]} series
 * @param {{ xLabel?: string, yLabel?: string, title?: string, xRange?: [number, number], integerX?: boolean }} options
 */
export function lineChart(canvas, series, options = {}) {
  const { ctx, width, height } = context2d(canvas);
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  const [x0, x1] = options.xRange ?? paddedRange(xs, 0.04);
  const [y0, y1] = paddedRange(ys, 0.08);
  const legendWidth = series.length > 1 ? 90 : 0;
  const view = makeView({ x0, x1, y0, y1 }, { left: 64, top: 24, right: width - 12 - legendWidth, bottom: height - 40 });
  drawAxes(ctx, view, options);
  ctx.save();
  ctx.beginPath();
  ctx.rect(view.box.left, view.box.top, view.box.right - view.box.left, view.box.bottom - view.box.top);
  ctx.clip();
  for (const s of series) {
    ctx.strokeStyle = s.colour;
    ctx.fillStyle = s.colour;
    ctx.lineWidth = 1.8;
    ctx.setLineDash(s.dashed ? [5, 4] : []);
    ctx.beginPath();
    let pen = false;
    for (const [x, y] of s.points) {
      if (!Number.isFinite(y)) {
        pen = false;
        continue;
      }
      if (pen) ctx.lineTo(view.px(x), view.py(y));
      else ctx.moveTo(view.px(x), view.py(y));
      pen = true;
    }
    ctx.stroke();
    ctx.setLineDash([]);
    for (const [x, y] of s.points) {
      if (!Number.isFinite(y)) continue;
      ctx.beginPath();
      ctx.arc(view.px(x), view.py(y), 2.4, 0, 2 * Math.PI);
      ctx.fill();
    }
    for (const [x, y] of s.marks ?? []) {
      ctx.beginPath();
      ctx.lineWidth = 2.5;
      ctx.strokeStyle = '#000';
      ctx.arc(view.px(x), view.py(y), 7, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }
  ctx.restore();
  if (legendWidth > 0) {
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    series.forEach((s, i) => {
      const y = view.box.top + 10 + i * 18;
      const x = view.box.right + 10;
      ctx.strokeStyle = s.colour;
      ctx.lineWidth = 2;
      ctx.setLineDash(s.dashed ? [5, 4] : []);
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x + 20, y);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = '#333';
      ctx.fillText(s.label, x + 26, y);
    });
  }
  return view;
}
