/** The module's exports: kernels named `<op>_<family>_<dtype>`, the block size and the start of the free memory. */
export { BLOCK_ROWS, heap_base } from './simd';
export { accumulate_gauss_full_f64, logprob_gauss_full_f64 } from './gaussian-full';
export { accumulate_gauss_diag_f64, logprob_gauss_diag_f64 } from './gaussian-diag';
export { accumulate_weighted_gauss_full_f64 } from './gaussian-full';
export { accumulate_weighted_gauss_diag_f64 } from './gaussian-diag';
export { accumulate_gauss_full_f32, logprob_gauss_full_f32 } from './gaussian-full-f32';
export { accumulate_gauss_diag_f32, logprob_gauss_diag_f32 } from './gaussian-diag-f32';
export { accumulate_linear_f64, logprob_linear_f64 } from './discrete';
export { forward_backward_f64, hmm_scratch_bytes, viterbi_f64, viterbi_scratch_bytes } from './hmm';
