/**
 * What an asynchronous fit reads from its arguments is read when it is called: `fitAsync` copies the data and the
 * array-valued options (sample weights, sequence lengths) before its first `await`, so that a caller changing its
 * arrays after the call (while the promise is pending) does not change the model.
 */

/** A copy of data in any of the accepted forms (flat typed arrays, nested arrays, `{ data, rows, cols }`); other values as they are. */
export function snapshotData(X: unknown): unknown {
  if (ArrayBuffer.isView(X) && !(X instanceof DataView)) return (X as unknown as { slice(): unknown }).slice();
  if (Array.isArray(X)) return Array.from(X as unknown[], snapshotData);
  if (X !== null && typeof X === 'object' && 'data' in X) {
    const m = X as { data: unknown; rows: unknown; cols: unknown };
    // Own properties besides data, rows and cols are kept (their values copied as data).
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(X)) copy[key] = snapshotData(value);
    copy.data = snapshotData(m.data);
    copy.rows = m.rows;
    copy.cols = m.cols;
    return copy;
  }
  return X;
}

/** A shallow copy of an options object with its array values copied (callbacks and the signal kept as they are). */
export function snapshotOptions<T>(options: T): T {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return options;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    copy[key] = ArrayBuffer.isView(value) || Array.isArray(value) ? snapshotData(value) : value;
  }
  return copy as T;
}
