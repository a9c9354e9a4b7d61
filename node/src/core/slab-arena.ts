import { growInt32 } from '../policy/typed-arrays.ts';

/** Bytes per shared page. Large enough that pages are few, small enough that a class's last, partly used page wastes little. */
export const PAGE_SIZE = 256 * 1024;
/** Chunks above this size get a page of their own, of their exact size. */
export const MAX_CHUNK = 16 * 1024;
/** The smallest chunk: a free chunk holds the offset of the next free one (4 bytes). */
const MIN_CHUNK = 16;
/** Classes 0-15 are 16 to 256 bytes in steps of 16; then 8 classes per doubling up to MAX_CHUNK. */
const SMALL_CLASSES = 16;
const STEPS_PER_DOUBLING = 8;
const CLASS_COUNT = SMALL_CLASSES + STEPS_PER_DOUBLING * Math.log2(MAX_CHUNK / 256);
/** `pageClass` of a page with a single chunk of its own size, and of an unused page index. */
const LARGE = -1;
const UNUSED = -2;
const NONE = -1;
/** Emptied shared pages kept for reuse, so that a class going back and forth between 0 and 1 live chunk does not allocate a page each time. */
const SPARE_PAGES = 4;
const INITIAL_PAGES = 16;

/** The size class of a chunk of `size` bytes (1 <= size <= MAX_CHUNK). */
export function classOf(size: number): number {
  if (size <= 256) return size <= MIN_CHUNK ? 0 : ((size + 15) >> 4) - 1;
  const exponent = 31 - Math.clz32(size - 1); // 2^exponent < size <= 2^(exponent + 1)
  const step = exponent - 3;
  return SMALL_CLASSES + (exponent - 8) * STEPS_PER_DOUBLING + ((size - 1 - 2 ** exponent) >> step);
}

/** The chunk size of class `sizeClass`. */
export function classSize(sizeClass: number): number {
  if (sizeClass < SMALL_CLASSES) return (sizeClass + 1) << 4;
  const above = sizeClass - SMALL_CLASSES;
  const exponent = 8 + Math.floor(above / STEPS_PER_DOUBLING);
  return 2 ** exponent + ((above % STEPS_PER_DOUBLING) + 1) * 2 ** (exponent - 3);
}

const CLASS_SIZES = Int32Array.from({ length: CLASS_COUNT }, (_, c) => classSize(c));

/**
 * A slab allocator for the store's entries: each entry's key and value bytes live in one chunk of
 * a large Buffer (a page) instead of in a Buffer object of their own, so that a million entries
 * are a few hundred Buffers for the garbage collector rather than a million objects with
 * ArrayBuffers and backing stores to track, and writing a value allocates nothing.
 *
 * Chunks come in size classes (at most 1/8 larger than asked, 1/16 on average, so that an
 * overwrite with a value of similar size reuses its chunk in place). A shared page holds chunks of
 * one class; each page keeps its free chunks in a list threaded through the chunks themselves,
 * plus a bump offset for chunks never handed out. A class keeps the pages that have room in a
 * doubly linked list. A page whose last chunk is freed goes back to a small spare pool or to the
 * garbage collector, so memory held by one class flows back to others as its pages empty (memcached
 * instead moves pages between classes; a cache under eviction empties pages often enough here).
 * After mass deletes, when a class's pages are at most half used, `planEvacuation` marks its
 * sparsest pages, the entry table moves their live chunks into the others, and they are freed.
 * Chunks above MAX_CHUNK get an exact-size page of their own.
 *
 * A chunk is named by its page index and its byte offset in the page: `allocate` returns the page
 * and leaves the offset in `offset`. All state is in typed arrays indexed by page.
 */
export class SlabArena {
  /** The pages, by index; undefined for an unused index. Read directly on hot paths. */
  readonly pages: (Buffer | undefined)[] = [];
  /** The offset of the chunk that the last `allocate` returned. */
  offset = 0;

  /** Per page: its class, LARGE, or UNUSED. */
  #pageClass = new Int32Array(INITIAL_PAGES).fill(UNUSED);
  /** Per page: chunks handed out and not freed. */
  #live = new Int32Array(INITIAL_PAGES);
  /** Per page: offset of the first free chunk, or NONE. */
  #freeHead = new Int32Array(INITIAL_PAGES);
  /** Per page: offset past the chunks ever handed out. */
  #bump = new Int32Array(INITIAL_PAGES);
  /** Per page: links of the class's list of pages that have room (NONE at the ends). */
  #next = new Int32Array(INITIAL_PAGES);
  #prev = new Int32Array(INITIAL_PAGES);
  /** Per page: 1 while its chunks are being moved out (see `planEvacuation`). */
  #evacuating = new Uint8Array(INITIAL_PAGES);
  #evacuatingCount = 0;
  /** Per class: the first page with room, or NONE. */
  #withRoom = new Int32Array(CLASS_COUNT).fill(NONE);
  #unusedIndices: number[] = [];
  #spare: Buffer[] = [];
  #bytesReserved = 0;

  /** Bytes held in pages (shared and large), the spare pool excluded. */
  get bytesReserved(): number {
    return this.#bytesReserved;
  }

  /** Pages whose chunks are being moved out. */
  get evacuatingPages(): number {
    return this.#evacuatingCount;
  }

  /** True when the chunks of `page` should move to other pages (see `planEvacuation`). */
  isEvacuating(page: number): boolean {
    return this.#evacuating[page] === 1;
  }

  /**
   * Marks the sparsest pages of each class whose pages are at most half used, leaving the
   * densest ones to hold every live chunk of the class at 7/8 full on average; the marked pages
   * get no new chunks. The entry table then moves their chunks (only the table knows which entry
   * owns a chunk), and each page goes back to the allocator when its last chunk leaves.
   * O(pages). Returns the number of pages marked.
   */
  planEvacuation(): number {
    const byClass = new Map<number, number[]>();
    for (let page = 0; page < this.pages.length; page++) {
      const sizeClass = this.#pageClass[page] as number;
      if (sizeClass < 0 || this.#evacuating[page] === 1) continue;
      let list = byClass.get(sizeClass);
      if (list === undefined) byClass.set(sizeClass, (list = []));
      list.push(page);
    }
    let marked = 0;
    for (const [sizeClass, pages] of byClass) {
      const perPage = Math.floor(PAGE_SIZE / (CLASS_SIZES[sizeClass] as number));
      let live = 0;
      for (const page of pages) live += this.#live[page] as number;
      if (pages.length < 2 || 2 * live > pages.length * perPage) continue;
      const keep = Math.max(1, Math.ceil((8 * live) / (7 * perPage)));
      if (pages.length - keep < 2) continue;
      pages.sort((a, b) => (this.#live[a] as number) - (this.#live[b] as number));
      for (let i = 0; i < pages.length - keep; i++) {
        const page = pages[i] as number;
        if (this.#hasRoom(page, sizeClass)) this.#unlink(sizeClass, page);
        this.#evacuating[page] = 1;
        this.#evacuatingCount++;
        marked++;
      }
    }
    return marked;
  }

  /** Ends an evacuation: pages still marked (none after a full pass of the table) take chunks again. */
  endEvacuation(): void {
    for (let page = 0; page < this.pages.length && this.#evacuatingCount > 0; page++) {
      if (this.#evacuating[page] !== 1) continue;
      this.#evacuating[page] = 0;
      this.#evacuatingCount--;
      const sizeClass = this.#pageClass[page] as number;
      if (this.#hasRoom(page, sizeClass)) this.#pushWithRoom(sizeClass, page);
    }
  }

  /** The number of bytes the chunk in `page` can hold. */
  chunkSize(page: number): number {
    const sizeClass = this.#pageClass[page] as number;
    return sizeClass === LARGE
      ? (this.pages[page] as Buffer).length
      : (CLASS_SIZES[sizeClass] as number);
  }

  /** True when a chunk in `page` is the one `allocate(size)` would choose a class for. */
  fits(page: number, size: number): boolean {
    const sizeClass = this.#pageClass[page] as number;
    if (sizeClass === LARGE) return size === (this.pages[page] as Buffer).length;
    return size <= MAX_CHUNK && classOf(size) === sizeClass;
  }

  /** Hands out a chunk of at least `size` bytes: returns its page; its offset is in `offset`. */
  allocate(size: number): number {
    if (size > MAX_CHUNK) return this.#allocateLarge(size);
    const sizeClass = classOf(size);
    let page = this.#withRoom[sizeClass] as number;
    if (page === NONE) page = this.#newPage(sizeClass);
    const chunk = CLASS_SIZES[sizeClass] as number;
    let offset = this.#freeHead[page] as number;
    const bytes = this.pages[page] as Buffer;
    if (offset !== NONE) {
      this.#freeHead[page] = bytes.readInt32LE(offset);
    } else {
      offset = this.#bump[page] as number;
      this.#bump[page] = offset + chunk;
    }
    this.#live[page] = (this.#live[page] as number) + 1;
    if (this.#freeHead[page] === NONE && (this.#bump[page] as number) + chunk > PAGE_SIZE) {
      this.#unlink(sizeClass, page);
    }
    this.offset = offset;
    return page;
  }

  /** Returns the chunk at `offset` in `page`. */
  free(page: number, offset: number): void {
    const sizeClass = this.#pageClass[page] as number;
    if (sizeClass === LARGE) {
      this.#releaseIndex(page);
      return;
    }
    const bytes = this.pages[page] as Buffer;
    const chunk = CLASS_SIZES[sizeClass] as number;
    const wasFull =
      this.#freeHead[page] === NONE && (this.#bump[page] as number) + chunk > PAGE_SIZE;
    bytes.writeInt32LE(this.#freeHead[page] as number, offset);
    this.#freeHead[page] = offset;
    const live = (this.#live[page] as number) - 1;
    this.#live[page] = live;
    // An evacuating page is in no list of pages with room and must not enter one.
    const linked = this.#evacuating[page] === 0;
    if (live === 0) {
      if (!wasFull && linked) this.#unlink(sizeClass, page);
      if (this.#spare.length < SPARE_PAGES) this.#spare.push(bytes);
      this.#releaseIndex(page);
    } else if (wasFull && linked) {
      this.#pushWithRoom(sizeClass, page);
    }
  }

  /** Drops every page. */
  clear(): void {
    this.pages.length = 0;
    this.#pageClass = new Int32Array(INITIAL_PAGES).fill(UNUSED);
    this.#live = new Int32Array(INITIAL_PAGES);
    this.#freeHead = new Int32Array(INITIAL_PAGES);
    this.#bump = new Int32Array(INITIAL_PAGES);
    this.#next = new Int32Array(INITIAL_PAGES);
    this.#prev = new Int32Array(INITIAL_PAGES);
    this.#evacuating = new Uint8Array(INITIAL_PAGES);
    this.#evacuatingCount = 0;
    this.#withRoom.fill(NONE);
    this.#unusedIndices = [];
    this.#spare = [];
    this.#bytesReserved = 0;
  }

  #allocateLarge(size: number): number {
    const page = this.#takeIndex(Buffer.allocUnsafeSlow(size), LARGE);
    this.offset = 0;
    return page;
  }

  #newPage(sizeClass: number): number {
    const bytes = this.#spare.pop() ?? Buffer.allocUnsafeSlow(PAGE_SIZE);
    const page = this.#takeIndex(bytes, sizeClass);
    this.#freeHead[page] = NONE;
    this.#bump[page] = 0;
    this.#pushWithRoom(sizeClass, page);
    return page;
  }

  #takeIndex(bytes: Buffer, sizeClass: number): number {
    let page = this.#unusedIndices.pop();
    if (page === undefined) {
      page = this.pages.length;
      this.pages.push(undefined);
      if (page >= this.#pageClass.length) this.#grow(page);
    }
    this.pages[page] = bytes;
    this.#pageClass[page] = sizeClass;
    this.#live[page] = sizeClass === LARGE ? 1 : 0;
    this.#bytesReserved += bytes.length;
    return page;
  }

  #releaseIndex(page: number): void {
    if (this.#evacuating[page] === 1) {
      this.#evacuating[page] = 0;
      this.#evacuatingCount--;
    }
    this.#bytesReserved -= (this.pages[page] as Buffer).length;
    this.pages[page] = undefined;
    this.#pageClass[page] = UNUSED;
    this.#live[page] = 0;
    this.#unusedIndices.push(page);
  }

  #hasRoom(page: number, sizeClass: number): boolean {
    return (
      this.#freeHead[page] !== NONE ||
      (this.#bump[page] as number) + (CLASS_SIZES[sizeClass] as number) <= PAGE_SIZE
    );
  }

  #pushWithRoom(sizeClass: number, page: number): void {
    const first = this.#withRoom[sizeClass] as number;
    this.#prev[page] = NONE;
    this.#next[page] = first;
    if (first !== NONE) this.#prev[first] = page;
    this.#withRoom[sizeClass] = page;
  }

  #unlink(sizeClass: number, page: number): void {
    const prev = this.#prev[page] as number;
    const next = this.#next[page] as number;
    if (prev === NONE) this.#withRoom[sizeClass] = next;
    else this.#next[prev] = next;
    if (next !== NONE) this.#prev[next] = prev;
  }

  #grow(page: number): void {
    const size = Math.max(page + 1, this.#pageClass.length * 2);
    this.#pageClass = growInt32(this.#pageClass, size, UNUSED);
    this.#live = growInt32(this.#live, size);
    this.#freeHead = growInt32(this.#freeHead, size);
    this.#bump = growInt32(this.#bump, size);
    this.#next = growInt32(this.#next, size);
    this.#prev = growInt32(this.#prev, size);
    const evacuating = new Uint8Array(size);
    evacuating.set(this.#evacuating);
    this.#evacuating = evacuating;
  }
}
