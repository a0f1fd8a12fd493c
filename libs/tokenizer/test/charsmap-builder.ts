/**
 * Builds a `precompiled_charsmap` (base64) from rules source → replacement, for tests: a naive
 * double-array builder with the unit layout src/precompiled-charsmap.ts documents. Each node's
 * children (bytes, plus label 0 for a value when a key ends there) are placed at p ^ o ^ label for
 * the first offset o that finds all their slots free.
 */
interface Node {
  readonly children: Map<number, Node>;
  value: number | undefined;
}

const utf8 = new TextEncoder();

/** The charsmap bytes for `rules` (source text → replacement text), base64-encoded. */
export function buildCharsmap(rules: ReadonlyMap<string, string>): string {
  // Replacement strings, NUL-terminated, one after another.
  const strings: number[] = [];
  const root: Node = { children: new Map(), value: undefined };
  for (const [source, replacement] of rules) {
    let node = root;
    for (const byte of utf8.encode(source)) {
      let child = node.children.get(byte);
      if (!child) {
        child = { children: new Map(), value: undefined };
        node.children.set(byte, child);
      }
      node = child;
    }
    node.value = strings.length;
    strings.push(...utf8.encode(replacement), 0);
  }

  const units: number[] = [0];
  const used = new Set<number>([0]);
  const queue: { node: Node; pos: number }[] = [{ node: root, pos: 0 }];
  while (queue.length > 0) {
    const { node, pos } = queue.shift() as { node: Node; pos: number };
    const labels = [...node.children.keys(), ...(node.value !== undefined ? [0] : [])];
    let offset = 1;
    while (labels.some((label) => used.has(pos ^ offset ^ label))) offset++;
    if (offset >= 1 << 21) throw new Error('test charsmap too large for unshifted offsets');
    const hasLeaf = node.value !== undefined ? 1 << 8 : 0;
    units[pos] = ((offset << 10) | hasLeaf | (units[pos] ?? 0)) >>> 0;
    for (const label of labels) used.add(pos ^ offset ^ label);
    if (node.value !== undefined) units[pos ^ offset] = (node.value | 0x80000000) >>> 0;
    for (const [label, child] of node.children) {
      const childPos = pos ^ offset ^ label;
      units[childPos] = label; // its own offset and leaf bit are added when it is placed
      queue.push({ node: child, pos: childPos });
    }
  }

  const size = units.length;
  const bytes = Buffer.alloc(4 + size * 4 + strings.length);
  bytes.writeUInt32LE(size * 4, 0);
  for (let i = 0; i < size; i++) bytes.writeUInt32LE(units[i] ?? 0, 4 + i * 4);
  Buffer.from(strings).copy(bytes, 4 + size * 4);
  return bytes.toString('base64');
}
