// One per-iteration measurement of bench/run.mjs in a Node started with --experimental-wasm-relaxed-simd, where the
// package loads its relaxed-SIMD build (fused multiply-adds). Usage (from run.mjs):
//   node --experimental-wasm-relaxed-simd bench/relaxed-child.mjs '{"c":…,"variant":…,"timed":…,"rows":…}'
// Prints {"ms": <ms per iteration>, "relaxed": <whether the relaxed build was loaded>}.
import * as lib from 'wasm-em';
import { caseData, msPerIteration, startFor } from './common.mjs';

const { c, variant, timed, rows } = JSON.parse(process.argv[2]);
const { X, centres } = caseData(c);
const ms = await msPerIteration(lib, X.subarray(0, rows * c.d), c, startFor(c.type, centres), variant, timed);
console.log(JSON.stringify({ ms, relaxed: typeof lib.wasmRelaxedSimd === 'function' && lib.wasmRelaxedSimd() }));
