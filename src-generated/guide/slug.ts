// generated from docs/guide.lit.md by weft — edit the source, not this file
/**
 * Heading → anchor slugs, GitHub style. Tangled from docs/guide.lit.md.
 */
export function slugify(heading: string): string {
  const text = heading
    .normalize('NFKC')
    .toLowerCase()
    .trim()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '');
  return text.replace(/\s/g, '-');
}

/** Hands out unique slugs for the headings of one page. */
export class Slugger {
  private readonly seen = new Map<string, number>();

  slug(heading: string): string {
    const base = slugify(heading);
    let candidate = base;
    let count = this.seen.get(base) ?? 0;
    while (this.seen.has(candidate)) {
      count += 1;
      candidate = `${base}-${count}`;
    }
    this.seen.set(base, count);
    this.seen.set(candidate, 0);
    return candidate;
  }
}
//# sourceMappingURL=slug.ts.map
