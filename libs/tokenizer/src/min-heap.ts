/** A binary min-heap ordered by a comparator (negative: a comes first). */
export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly compare: (a: T, b: T) => number) {}

  /** Number of items held. */
  get size(): number {
    return this.items.length;
  }

  /** Adds an item. */
  push(item: T): void {
    const items = this.items;
    items.push(item);
    let child = items.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (this.compare(items[child] as T, items[parent] as T) >= 0) break;
      [items[child], items[parent]] = [items[parent] as T, items[child] as T];
      child = parent;
    }
  }

  /** Removes and returns the first item, or undefined when empty. */
  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    let parent = 0;
    for (;;) {
      const left = 2 * parent + 1;
      const right = left + 1;
      let first = parent;
      if (left < items.length && this.compare(items[left] as T, items[first] as T) < 0) first = left;
      if (right < items.length && this.compare(items[right] as T, items[first] as T) < 0) first = right;
      if (first === parent) break;
      [items[first], items[parent]] = [items[parent] as T, items[first] as T];
      parent = first;
    }
    return top;
  }
}
