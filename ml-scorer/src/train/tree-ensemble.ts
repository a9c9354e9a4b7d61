/**
 * The trained model's format and the plain TS scorer. They live in the node's policy layer
 * (node/src/policy/tree-model.ts), so that a node can evaluate a model without importing the
 * trainer; the trainer produces exactly that format and re-exports it from here.
 */
export type { Tree, TreeEnsemble } from '../../../node/src/policy/tree-model.ts';
export { nodeCount, predict } from '../../../node/src/policy/tree-model.ts';
