// generated from docs/guide.lit.md by weft — edit the source, not this file
import { Slugger } from './slug.js';

/** Print the slug of each argument; refuse to run with none. */
export function main(headings: string[]): string[] {
  if (headings.length === 0) {
    throw new Error('usage: slug HEADING...');
  }
  const slugger = new Slugger();
  return headings.map((heading) => slugger.slug(heading));
}

if (process.argv[1] && /cli\.[jt]s$/.test(process.argv[1])) {
  for (const slug of main(process.argv.slice(2))) console.log(slug);
}
//# sourceMappingURL=cli.ts.map
