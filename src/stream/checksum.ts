/**
 * The checksum of a block of rows that every pass of a streamed fit compares with the first pass's: two 32-bit
 * multiplicative hashes over the float64 bits of the values in row order (order-dependent: the same rows in another
 * order differ), with every NaN (a missing entry) counted as one canonical NaN, so that NaN payloads do not matter.
 * Two hashes with different multipliers make an accidental match of changed data about 2⁻⁶⁴ likely per block.
 */

const NAN_LOW = 0;
const NAN_HIGH = 0x7ff80000 | 0;

/** `[a, b]`, the two 32-bit hashes (unsigned) of the values of `data`. */
export function blockChecksum(data: Float64Array): [number, number] {
  const words = new Int32Array(data.buffer, data.byteOffset, data.length * 2);
  let a = 0x811c9dc5 | 0;
  let b = 0x9e3779b9 | 0;
  for (let q = 0; q < words.length; q += 2) {
    // Little-endian words of one float64; NaN is an all-ones exponent with a nonzero fraction (read as integers:
    // no float comparison in the loop).
    let lo = words[q];
    let hi = words[q + 1];
    if ((hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0xfffff) | lo) !== 0) {
      lo = NAN_LOW;
      hi = NAN_HIGH;
    }
    a = Math.imul(a ^ lo, 0x01000193);
    a = Math.imul(a ^ hi, 0x01000193);
    b = Math.imul(((b ^ hi) + lo) | 0, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a >>> 0, b >>> 0];
}
