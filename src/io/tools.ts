/** Finds system commands on PATH (bzip2, 7z, …), once per process. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const cache = new Map<string, string | null>();

export function which(name: string): string | null {
  if (cache.has(name)) return cache.get(name)!;
  let found: string | null = null;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      found = p;
      break;
    } catch {
      // not here
    }
  }
  cache.set(name, found);
  return found;
}

/** The first of `names` found on PATH. */
export function findTool(names: string[]): string | null {
  for (const n of names) {
    const p = which(n);
    if (p) return p;
  }
  return null;
}
