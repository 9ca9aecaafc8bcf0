/**
 * The host-owned WebAssembly memory and its bump arena (DESIGN.md, "Memory").
 *
 * TypeScript creates the `WebAssembly.Memory` that the kernel module imports and hands out 16-byte-aligned regions of
 * it. Regions are taken from the top; freeing a region below the top only marks it, and the top comes down as soon as
 * every region above it is free, so the usual pattern (bind, fit, dispose) returns the arena to its base. Memory grows
 * only here, i.e. between kernel calls; the typed view is rebuilt whenever the buffer changed, and callers must take
 * it from `f64()` after every allocation instead of keeping it.
 */

/** Bytes in a WebAssembly page. */
export const WASM_PAGE_BYTES = 65536;
/** wasm32 addresses at most 2³² bytes (65536 pages). */
export const WASM_MAX_PAGES = 65536;
/** Extra room added when the memory grows, so that small later allocations (parameters, scratch) rarely grow it. */
const GROWTH_SLACK_BYTES = 1 << 20;

interface Region {
  readonly ptr: number;
  readonly end: number;
  live: boolean;
}

/** Rounds `n` up to a multiple of 16. */
export function align16(n: number): number {
  return Math.ceil(n / 16) * 16;
}

/** A bump allocator over one `WebAssembly.Memory`, starting at `base` (above the module's static data). */
export class Arena {
  private readonly regions: Region[] = [];
  private top: number;
  private view: Float64Array;

  constructor(
    readonly memory: WebAssembly.Memory,
    private readonly base: number,
  ) {
    this.top = align16(base);
    this.view = new Float64Array(memory.buffer);
  }

  /** True when every region has been freed. */
  get empty(): boolean {
    return this.regions.length === 0;
  }

  /** Bytes from the base to the top of the arena. */
  get used(): number {
    return this.top - align16(this.base);
  }

  /**
   * Reserves `bytes` bytes (16-byte aligned, contents unspecified) and returns their byte offset, growing the memory if
   * needed. `what` names the data in the error thrown when it cannot fit in the 4 GiB of wasm32.
   */
  alloc(bytes: number, what: string): number {
    const ptr = align16(this.top);
    const end = ptr + align16(Math.max(bytes, 16));
    this.ensure(end, what, bytes);
    this.regions.push({ ptr, end, live: true });
    this.top = end;
    return ptr;
  }

  /** Releases the region that starts at `ptr`. */
  free(ptr: number): void {
    const region = this.regions.find((r) => r.ptr === ptr && r.live);
    if (region === undefined) throw new Error(`wasm arena: no live region at ${ptr}`);
    region.live = false;
    while (this.regions.length > 0 && !this.regions[this.regions.length - 1]!.live) this.regions.pop();
    this.top = this.regions.length > 0 ? this.regions[this.regions.length - 1]!.end : align16(this.base);
  }

  /** A Float64Array over the whole memory, rebuilt if the memory grew since the last call. */
  f64(): Float64Array {
    if (this.view.buffer !== this.memory.buffer) this.view = new Float64Array(this.memory.buffer);
    return this.view;
  }

  /** Grows the memory so that bytes `[0, end)` exist. */
  private ensure(end: number, what: string, bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const limit = WASM_MAX_PAGES * WASM_PAGE_BYTES;
    if (end > limit) {
      throw new Error(
        `wasm backend: ${what} needs ${mib(bytes)} of WebAssembly memory on top of the ${mib(this.used)} in use, ` +
          `beyond the 4 GiB that wasm32 can address. Fit the data in blocks (a stream of chunks), or use backend: 'js'`,
      );
    }
    const pages = Math.min(WASM_MAX_PAGES, Math.ceil((end + GROWTH_SLACK_BYTES) / WASM_PAGE_BYTES));
    const delta = pages - have / WASM_PAGE_BYTES;
    try {
      this.memory.grow(delta);
    } catch (cause) {
      throw new Error(
        `wasm backend: could not grow WebAssembly memory to ${mib(pages * WASM_PAGE_BYTES)} for ${what} ` +
          `(${cause instanceof Error ? cause.message : String(cause)}). Fit the data in smaller blocks, ` +
          `or use backend: 'js'`,
      );
    }
    this.view = new Float64Array(this.memory.buffer);
  }
}

function mib(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}
