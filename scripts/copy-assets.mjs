// Copies the data files that live beside the sources (stop-word lists, MinHash permutations,
// licence texts, ...) from src/ into dist/, so the compiled CLI finds them where the code does.
import { cpSync, readdirSync, statSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
let copied = 0;
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (!name.endsWith('.ts')) {
      const target = join(dist, relative(src, p));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(p, target);
      copied++;
    }
  }
};
walk(src);
process.stderr.write(`copied ${copied} data files to dist/\n`);
