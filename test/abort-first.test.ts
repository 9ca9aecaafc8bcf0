/**
 * One abort order everywhere: an async fit given an already aborted signal rejects with `AbortError` (or the signal's
 * reason) before it looks at its data or its other options — in every model class, `fitStream` and `emAsync`.
 * Before, bad data with an aborted signal rejected with `InputError` from some classes and `AbortError` from others.
 */
import { describe, expect, it } from 'vitest';
import {
  BernoulliMixture, CategoricalHMM, CategoricalMixture, GaussianHMM, GaussianMixture, PoissonHMM, PoissonMixture,
  emAsync,
} from '../src/index.js';
import { AbortError } from '../src/errors.js';

const aborted = (reason?: unknown): AbortSignal => {
  const c = new AbortController();
  c.abort(reason);
  return c.signal;
};

/** Bad data, and options with an unknown key as well, for each async fit. */
const CASES: [string, (signal: AbortSignal) => Promise<unknown>][] = [
  ['GaussianMixture.fitAsync', (signal) => new GaussianMixture({ nComponents: 2 }).fitAsync([[NaN, Infinity]], { signal, bogus: 1 } as never)],
  ['GaussianMixture.fitStream', (signal) => new GaussianMixture({ nComponents: 2 }).fitStream('not-a-source' as never, { signal, bogus: 1 } as never)],
  ['BernoulliMixture.fitAsync', (signal) => new BernoulliMixture({ nComponents: 2 }).fitAsync([[7]], { signal, bogus: 1 } as never)],
  ['CategoricalMixture.fitAsync', (signal) => new CategoricalMixture({ nComponents: 2 }).fitAsync([[-1]], { signal, bogus: 1 } as never)],
  ['PoissonMixture.fitAsync', (signal) => new PoissonMixture({ nComponents: 2 }).fitAsync([[-3]], { signal, bogus: 1 } as never)],
  ['GaussianHMM.fitAsync', (signal) => new GaussianHMM({ nStates: 2 }).fitAsync('x' as never, { signal, bogus: 1 } as never)],
  ['CategoricalHMM.fitAsync', (signal) => new CategoricalHMM({ nStates: 2 }).fitAsync('x' as never, { signal, bogus: 1 } as never)],
  ['PoissonHMM.fitAsync', (signal) => new PoissonHMM({ nStates: 2 }).fitAsync('x' as never, { signal, bogus: 1 } as never)],
  ['emAsync', (signal) => emAsync('x' as never, null as never, { signal, bogus: 1 } as never)],
];

describe('an aborted signal is seen first', () => {
  it.each(CASES)('%s rejects with AbortError, not the data or option error', async (_, run) => {
    await expect(run(aborted())).rejects.toBeInstanceOf(AbortError);
  });

  it.each(CASES)('%s rejects with the signal\'s own reason when it has one', async (_, run) => {
    const reason = new Error('user cancelled');
    await expect(run(aborted(reason))).rejects.toBe(reason);
  });

  it.each(CASES)('%s without the abort reports the bad input instead', async (_, run) => {
    const live = new AbortController().signal;
    const e = await run(live).then(() => null, (err: unknown) => err);
    expect(e).not.toBeNull();
    expect(e).not.toBeInstanceOf(AbortError);
  });
});
