/**
 * The packed serving form of a TreeEnsemble. It lives in the node's policy layer
 * (node/src/policy/tree-model.ts) with the model format, so that the node scores candidates
 * without importing ml-scorer; re-exported here for the trainer's benchmarks and tests.
 */
export { FlatEnsemble } from '../../../node/src/policy/tree-model.ts';
