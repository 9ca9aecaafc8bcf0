/**
 * wasm-em: Gaussian mixtures fitted by expectation–maximization on WebAssembly SIMD kernels, with a plain-TypeScript
 * reference backend.
 * @packageDocumentation
 */
export { GaussianMixture } from './gaussian-mixture.js';
export type { GaussianMixtureOptions, FitOptions, FitAsyncOptions, Sample } from './gaussian-mixture.js';
export type { Covariances } from './families/gaussian.js';
export type { FitStreamOptions } from './gaussian-mixture.js';
export type { StreamProgressInfo } from './stream/fit.js';
export type { StreamSource, StreamChunk } from './stream/source.js';
export type { ScoreOptions } from './mixture-base.js';
export { selectModel } from './select-model.js';
export { adjustedRandIndex } from './metrics.js';
export { em, emAsync } from './em/user-model.js';
export type { EmModel, EmOptions, EmResult, EmRandom } from './em/user-model.js';
export type { SelectModelOptions, SelectModelRow, SelectModelResult } from './select-model.js';
export type { CovarianceType, SklearnCovarianceType } from './families/gaussian.js';
export { COVARIANCE_TYPES, SKLEARN_COVARIANCE_TYPES } from './families/gaussian.js';
export type { MclustModel } from './families/mclust-models.js';
export { MCLUST_MODELS } from './families/mclust-models.js';
export type { PriorOption, PriorHyperparameters, GaussianPrior } from './families/gaussian-prior.js';
export type { InitMethod, GivenInit } from './families/gaussian-starts.js';
export type { IterationInfo } from './em/driver.js';
export type { MStepProgress, ProgressInfo } from './em/progress.js';
/**
 * Number of workers started by `fitAsync` pools (of every model class) and not yet gone: 0 when no `fitAsync` is
 * running, back to 0 once a fit resolves or rejects (abort included). For progress displays and leak checks.
 */
export { liveWorkers } from './parallel/platform.js';
export type { Matrix, MatrixLike, DataInput, DataOptions } from './matrix.js';
export type { BackendName } from './backend/index.js';
export type { Dtype } from './dtype.js';
export { MODEL_FORMAT, MODEL_VERSION } from './model-json.js';
export { GaussianHMM } from './hmm/gaussian-hmm.js';
export type { GaussianHMMOptions, GaussianHMMSample } from './hmm/gaussian-hmm.js';
export { CategoricalHMM } from './hmm/categorical-hmm.js';
export type { CategoricalHMMOptions, CategoricalHMMSample, CategoricalEmission } from './hmm/categorical-hmm.js';
export { PoissonHMM } from './hmm/poisson-hmm.js';
export type { PoissonHMMOptions, PoissonHMMSample } from './hmm/poisson-hmm.js';
export type { HmmOptions, HmmFitOptions, HmmFitAsyncOptions, HmmSampleOptions, Decoded } from './hmm/base.js';
export type {
  GaussianSequencesInput, SymbolSequencesInput, SequenceOptions, GaussianSequenceOptions,
} from './hmm/sequences.js';
export { GAUSSIAN_HMM_FORMAT, CATEGORICAL_HMM_FORMAT, POISSON_HMM_FORMAT, HMM_MODEL_VERSION } from './hmm/json.js';
export type { GaussianHMMJSON, CategoricalHMMJSON, PoissonHMMJSON } from './hmm/json.js';
export type { GaussianMixtureJSON } from './model-json.js';
export { BernoulliMixture, BERNOULLI_FORMAT } from './discrete/bernoulli-mixture.js';
export type { BernoulliMixtureOptions, BernoulliInit } from './discrete/bernoulli-mixture.js';
export { CategoricalMixture, CATEGORICAL_FORMAT } from './discrete/categorical-mixture.js';
export type { CategoricalMixtureOptions, CategoricalInit } from './discrete/categorical-mixture.js';
export { PoissonMixture, POISSON_FORMAT } from './discrete/poisson-mixture.js';
export type { PoissonMixtureOptions, PoissonInit } from './discrete/poisson-mixture.js';
export { DiscreteMixture, DISCRETE_MODEL_VERSION } from './discrete/mixture.js';
export type {
  DiscreteMixtureOptions, DiscreteInitMethod, DiscreteFitOptions, DiscreteFitAsyncOptions, DiscreteScoreOptions,
  DiscreteSample, DiscreteMixtureJSON,
} from './discrete/mixture.js';
export { discreteMixtureFromJSON } from './discrete/load.js';
export {
  InputError, DegenerateComponentError, WasmUnavailableError, NotFittedError, AbortError, WorkerError,
} from './errors.js';
export { initWasm, preferRelaxedSimd, wasmAvailable, wasmRelaxedSimd, wasmMemoryBytes } from './backend/wasm/index.js';
