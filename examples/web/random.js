/**
 * Seeded random numbers for the demo's generated data (the library's own generator seeds the fits).
 * mulberry32: a 32-bit state advanced by a Weyl step and mixed by two multiplications; plenty for test data.
 */

/**
 * A generator of uniform numbers in [0, 1) and standard normal numbers, from a seed.
 * @param {number} seed any integer (taken modulo 2³²)
 */
export function makeRandom(seed) {
  let state = seed >>> 0;
  let spare = NaN;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  /** Standard normal by the polar form of Box–Muller: two numbers per accepted pair. */
  const normal = () => {
    if (!Number.isNaN(spare)) {
      const v = spare;
      spare = NaN;
      return v;
    }
    let u;
    let v;
    let s;
    do {
      u = 2 * uniform() - 1;
      v = 2 * uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    spare = v * f;
    return u * f;
  };
  return { uniform, normal };
}
