/**
 * Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna 2018) seeded through splitmix32, so a seed gives the
 * same stream in Node and in browsers. Not cryptographic.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null = null;

  /**
   * @param seed a safe integer (`seedOption`); `undefined` draws a seed from `Math.random()`. Seeds in [0, 2³²) seed
   *   the state through splitmix32 as they always have; the bits above 32 and the sign are mixed into all four state
   *   words by a second splitmix32 stream, so every safe integer gives its own stream.
   * @param stream another independent stream of the same seed [0].
   */
  constructor(seed?: number, stream = 0) {
    const value = seed === undefined ? Math.floor(Math.random() * 2 ** 32) : seed;
    const magnitude = Math.abs(value);
    let s = (magnitude % 2 ** 32) >>> 0;
    const high = Math.floor(magnitude / 2 ** 32);
    if (stream !== 0) s = (s ^ Math.imul(stream, 0x632be5ab) ^ 0x5bd1e995) >>> 0;
    this.a = splitmix32(s += 0x9e3779b9);
    this.b = splitmix32(s += 0x9e3779b9);
    this.c = splitmix32(s += 0x9e3779b9);
    this.d = splitmix32(s += 0x9e3779b9);
    if (high !== 0 || value < 0) {
      // |seed| < 2⁵³, so its high part (< 2²¹) and the sign fit together in one 32-bit word.
      let t = ((high | (value < 0 ? 0x80000000 : 0)) ^ 0x7f4a7c15) >>> 0;
      this.a = (this.a ^ splitmix32(t += 0x9e3779b9)) >>> 0;
      this.b = (this.b ^ splitmix32(t += 0x9e3779b9)) >>> 0;
      this.c = (this.c ^ splitmix32(t += 0x9e3779b9)) >>> 0;
      this.d = (this.d ^ splitmix32(t += 0x9e3779b9)) >>> 0;
      // xoshiro's one forbidden state.
      if ((this.a | this.b | this.c | this.d) === 0) this.d = 1;
    }
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A uniform number in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** A standard normal deviate (Box–Muller, polar form). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.random() - 1;
      v = 2 * this.random() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    return u * f;
  }

  /** A fresh seed for a child generator. */
  seed(): number {
    return this.nextU32();
  }
}

/** splitmix32's output function on a state word (the caller advances the state by the golden-ratio increment). */
function splitmix32(state: number): number {
  let z = state >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
