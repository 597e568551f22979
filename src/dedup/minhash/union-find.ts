/**
 * Union-find over global document indices in one Uint32Array (4 bytes per document), plus component
 * sizes (4 more). Unions always hang the larger root under the smaller, so every component's root is
 * its smallest index whatever the order of the edges: the result is the same for any task split.
 */
export class UnionFind {
  readonly parent: Uint32Array;

  constructor(n: number) {
    this.parent = new Uint32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }

  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      const g = p[p[x]!]!;
      p[x] = g; // path halving
      x = g;
    }
    return x;
  }

  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    if (ra < rb) this.parent[rb] = ra;
    else this.parent[ra] = rb;
  }

  /** Size of each document's component, indexed by document (roots hold the count; others read it through find). */
  componentSizes(): Uint32Array {
    const n = this.parent.length;
    const size = new Uint32Array(n);
    for (let i = 0; i < n; i++) size[this.find(i)]!++;
    return size;
  }
}
