/**
 * Lineage: what was made from what. A recall or a hold started on one object takes exactly the
 * objects made from it, however many steps away, and nothing else.
 */

/**
 * Every subject made, directly or through other objects, from `root`, nearest first (breadth
 * first; ties in the order of `nodes`), each once. `root` itself is not listed, even if a
 * (malformed) cycle leads back to it; cycles do not loop.
 */
export function descendants(nodes: ReadonlyArray<{ subject: string; from: readonly string[] }>, root: string): string[] {
  const children = new Map<string, string[]>();
  for (const node of nodes) {
    for (const parent of node.from) {
      const list = children.get(parent);
      if (list) list.push(node.subject);
      else children.set(parent, [node.subject]);
    }
  }
  const seen = new Set<string>([root]);
  const out: string[] = [];
  const queue = [root];
  for (let i = 0; i < queue.length; i++) {
    for (const child of children.get(queue[i]!) ?? []) {
      if (seen.has(child)) continue;
      seen.add(child);
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}
