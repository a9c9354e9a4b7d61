/**
 * Splitting a multi-key command by owner: pure, so that the grouping and the merge order can be
 * tested without sockets.
 */

/**
 * Groups key positions 0..n-1 by owner, given each key's owner index, in order of first
 * appearance; within a group the positions stay ascending. So the sub-request to each node lists
 * its keys in the order the client gave them, and the merge puts each answer back at its position.
 */
export function groupByOwner(owners: ArrayLike<number>): { owner: number; positions: number[] }[] {
  const groups: { owner: number; positions: number[] }[] = [];
  const byOwner = new Map<number, number[]>();
  for (let i = 0; i < owners.length; i++) {
    const owner = owners[i] as number;
    let positions = byOwner.get(owner);
    if (positions === undefined) {
      positions = [];
      byOwner.set(owner, positions);
      groups.push({ owner, positions });
    }
    positions.push(i);
  }
  return groups;
}
