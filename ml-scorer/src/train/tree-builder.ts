/**
 * Grows one regression tree leaf-wise on binned data: repeatedly split the leaf whose best split
 * gains most, until `maxLeaves` or no split gains. Each split builds the histogram of the smaller
 * child only and derives the larger one as parent − smaller, so a row is histogrammed about
 * log2(leaves)/2 times per tree instead of once per level.
 */
import type { Split } from './histogram.ts';
import {
  buildHistogramRows,
  findBestSplit,
  newHistogram,
  rowMajorBins,
  subtractHistogram,
} from './histogram.ts';
import type { Tree } from './tree-ensemble.ts';

/** A tree plus the bin of each split, which the booster uses to route rows by their bins. */
export interface BinnedTree extends Tree {
  readonly splitBin: Int32Array;
}

export interface TreeShape {
  readonly maxLeaves: number;
  readonly minRowsPerLeaf: number;
  readonly lambda: number;
  readonly learningRate: number;
}

/** Scratch buffers reused across the trees of one training run. */
export class TreeBuilder {
  readonly #bins: Uint8Array;
  /** The same bins row-major, for building histograms. */
  readonly #rowBins: Uint8Array;
  readonly #nRows: number;
  readonly #edges: readonly Float32Array[];
  readonly #binCounts: Int32Array;
  readonly #shape: TreeShape;
  readonly #hists: Float64Array[] = [];
  readonly #scratch: Int32Array;
  readonly #orderedGrad: Float64Array;
  // Per leaf, indexed 0 … leaves-1.
  readonly #start: Int32Array;
  readonly #end: Int32Array;
  readonly #sumGrad: Float64Array;
  readonly #hist: Int32Array;
  readonly #node: Int32Array;
  readonly #split: Split[] = [];
  #leaves = 0;

  constructor(bins: Uint8Array, nRows: number, edges: readonly Float32Array[], shape: TreeShape) {
    this.#bins = bins;
    this.#rowBins = rowMajorBins(bins, nRows, edges.length);
    this.#nRows = nRows;
    this.#edges = edges;
    this.#binCounts = Int32Array.from(edges, (e) => e.length + 1);
    this.#shape = shape;
    const leaves = shape.maxLeaves;
    for (let i = 0; i < leaves; i++) {
      this.#hists.push(newHistogram(edges.length));
      this.#split.push({ gain: 0, feature: -1, bin: -1, leftGrad: 0, leftCount: 0 });
    }
    this.#scratch = new Int32Array(nRows);
    this.#orderedGrad = new Float64Array(nRows);
    this.#start = new Int32Array(leaves);
    this.#end = new Int32Array(leaves);
    this.#sumGrad = new Float64Array(leaves);
    this.#hist = new Int32Array(leaves);
    this.#node = new Int32Array(leaves);
  }

  /**
   * Grows a tree on the rows `rowIdx[0 … nUsed)` (ascending; permuted in place) with gradients
   * `grad` (prediction − label), splitting only on the `allowed` features.
   */
  grow(grad: Float64Array, rowIdx: Int32Array, nUsed: number, allowed: Int32Array): BinnedTree {
    const { maxLeaves, minRowsPerLeaf: minRows, lambda } = this.#shape;
    // A feature with a single bin (a constant, such as the size under an object budget) has no
    // split: its histogram would never be read, so it is not built.
    const features = allowed.filter((f) => this.#binCounts[f]! > 1);
    const maxNodes = 2 * maxLeaves - 1;
    const feature = new Int32Array(maxNodes).fill(-1);
    const splitBin = new Int32Array(maxNodes).fill(-1);
    const threshold = new Float32Array(maxNodes);
    const left = new Int32Array(maxNodes).fill(-1);
    const right = new Int32Array(maxNodes).fill(-1);
    const start = this.#start;
    const end = this.#end;
    const sumGrad = this.#sumGrad;
    const histOf = this.#hist;
    const nodeOf = this.#node;
    const splits = this.#split;

    let total = 0;
    for (let k = 0; k < nUsed; k++) total += grad[rowIdx[k]!]!;
    start[0] = 0;
    end[0] = nUsed;
    sumGrad[0] = total;
    histOf[0] = 0;
    nodeOf[0] = 0;
    this.#histogram(0, grad, rowIdx, features);
    this.#best(0, features, minRows, lambda);
    let leaves = 1;
    let nodes = 1;

    while (leaves < maxLeaves) {
      let pick = -1;
      let bestGain = 0;
      for (let l = 0; l < leaves; l++) {
        if (splits[l]!.gain > bestGain) {
          bestGain = splits[l]!.gain;
          pick = l;
        }
      }
      if (pick < 0) break;
      const s = splits[pick]!;
      const f = s.feature;
      const p = nodeOf[pick]!;
      feature[p] = f;
      splitBin[p] = s.bin;
      threshold[p] = this.#edges[f]![s.bin]!;
      left[p] = nodes;
      right[p] = nodes + 1;

      const nLeft = this.#partition(rowIdx, start[pick]!, end[pick]!, f, s.bin);
      const other = leaves++;
      start[other] = start[pick]! + nLeft;
      end[other] = end[pick]!;
      end[pick] = start[other]!;
      sumGrad[other] = sumGrad[pick]! - s.leftGrad;
      sumGrad[pick] = s.leftGrad;
      nodeOf[pick] = nodes;
      nodeOf[other] = nodes + 1;
      nodes += 2;

      // The smaller child gets a fresh histogram; the larger keeps the parent's minus it.
      const parentHist = histOf[pick]!;
      const leftIsSmaller = nLeft <= end[other] - start[other];
      const small = leftIsSmaller ? pick : other;
      const large = leftIsSmaller ? other : pick;
      histOf[small] = other;
      histOf[large] = parentHist;
      this.#histogram(small, grad, rowIdx, features);
      subtractHistogram(this.#hists[parentHist]!, this.#hists[other]!, features, this.#binCounts);
      this.#best(pick, features, minRows, lambda);
      this.#best(other, features, minRows, lambda);
    }

    this.#leaves = leaves;
    const value = new Float32Array(maxNodes);
    const { learningRate } = this.#shape;
    for (let l = 0; l < leaves; l++) {
      const count = end[l]! - start[l]!;
      value[nodeOf[l]!] = learningRate * (-sumGrad[l]! / (count + lambda));
    }
    return {
      feature: feature.slice(0, nodes),
      threshold: threshold.slice(0, nodes),
      left: left.slice(0, nodes),
      right: right.slice(0, nodes),
      value: value.slice(0, nodes),
      splitBin: splitBin.slice(0, nodes),
    };
  }

  /**
   * Adds the last grown tree's leaf values to the predictions of the rows it was grown on, which
   * `grow` left grouped by leaf in `rowIdx`: no tree walk needed for them.
   */
  addToGrownRows(pred: Float64Array, rowIdx: Int32Array, tree: BinnedTree): void {
    for (let l = 0; l < this.#leaves; l++) {
      const v = tree.value[this.#node[l]!]!;
      for (let k = this.#start[l]!; k < this.#end[l]!; k++) {
        const r = rowIdx[k]!;
        pred[r] = pred[r]! + v;
      }
    }
  }

  #histogram(leaf: number, grad: Float64Array, rowIdx: Int32Array, features: Int32Array): void {
    const s = this.#start[leaf]!;
    const e = this.#end[leaf]!;
    const og = this.#orderedGrad;
    for (let k = s; k < e; k++) og[k - s] = grad[rowIdx[k]!]!;
    const hist = this.#hists[this.#hist[leaf]!]!;
    const rowBins = this.#rowBins;
    const nf = this.#edges.length;
    buildHistogramRows(hist, rowBins, nf, features, this.#binCounts, rowIdx, s, e, og);
  }

  #best(leaf: number, features: Int32Array, minRows: number, lambda: number): void {
    findBestSplit(
      this.#hists[this.#hist[leaf]!]!,
      features,
      this.#binCounts,
      this.#sumGrad[leaf]!,
      this.#end[leaf]! - this.#start[leaf]!,
      lambda,
      minRows,
      this.#split[leaf]!,
    );
  }

  /** Stable partition of rowIdx[s … e) by bin <= `bin` of feature `f`; returns the left count. */
  #partition(rowIdx: Int32Array, s: number, e: number, f: number, bin: number): number {
    const bins = this.#bins;
    const column = f * this.#nRows;
    const scratch = this.#scratch;
    let l = s;
    let r = 0;
    for (let k = s; k < e; k++) {
      const row = rowIdx[k]!;
      if (bins[column + row]! <= bin) rowIdx[l++] = row;
      else scratch[r++] = row;
    }
    rowIdx.set(scratch.subarray(0, r), l);
    return l - s;
  }
}
