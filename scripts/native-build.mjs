// The `install` script: compiles the native addons (node-gyp, C++17) unless build/Release already
// holds every target of binding.gyp, newer than binding.gyp and every file under native/.
// Why: `npx corpusmill` run inside this folder links the package into npm's npx cache and runs its
// install scripts again; an unconditional `node-gyp rebuild` made a newcomer's first command wait
// minutes in silence. The addons use N-API (ABI-stable), so a build stays valid across Node
// versions. CORPUSMILL_REBUILD=1 forces a rebuild.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const targets = [...readFileSync(join(root, 'binding.gyp'), 'utf8').matchAll(/"target_name":\s*"([^"]+)"/g)].map((m) => m[1]);
const built = targets.map((t) => join(root, 'build', 'Release', `${t}.node`));

/** Newest modification time of a file or of any file below a folder. */
function newest(p) {
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(p).map((n) => newest(join(p, n))));
}

const sources = Math.max(newest(join(root, 'binding.gyp')), newest(join(root, 'native')));
const upToDate = !process.env.CORPUSMILL_REBUILD && built.every((f) => existsSync(f) && statSync(f).mtimeMs >= sources);
if (upToDate) {
  process.stderr.write(`corpusmill: native addons up to date (${targets.join(', ')})\n`);
} else {
  process.stderr.write(`corpusmill: compiling the native addons (${targets.join(', ')}; a few minutes)\n`);
  // npm passes its bundled node-gyp in npm_config_node_gyp; otherwise node-gyp must be on PATH.
  const gyp = process.env.npm_config_node_gyp;
  const r = gyp
    ? spawnSync(process.execPath, [gyp, 'rebuild'], { cwd: root, stdio: 'inherit' })
    : spawnSync('node-gyp', ['rebuild'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.error) process.stderr.write(`corpusmill: cannot run node-gyp (${r.error.message}); run \`npm install\` (npm ships node-gyp) or install node-gyp\n`);
  if (r.status !== 0) process.exit(r.status ?? 1);
}
