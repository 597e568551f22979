/**
 * GitHub filtering throughput, one core: `npm run bench:github [-- --mb 24]`.
 *
 * Input: real source files from this checkout's node_modules (JavaScript, TypeScript, C/C++,
 * Markdown, Python; files under 1 MiB, sorted walk, capped at --mb), so the numbers are on code,
 * not on generated text. Three measurements on the same texts in the same run:
 *   filters    the `github_filters` rules (stats with Python semantics + stand-in token count)
 *   document   what the reader does per kept file: header removal, line statistics, SHA-256
 *   peer       RedPajama's Python (clean_copyright_comments + stats + github_run_filter rules,
 *              with a regex pre-tokenizer in place of the NeoX tokenizer) under /usr/bin/python3
 * and prints MB/s per core (10^6 bytes of UTF-8 code per CPU second, so a busy shared machine does
 * not count against it; the best of two runs) and the ratio to the peer.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { githubDocument } from '../src/sources/github/document.js';
import { DEFAULT_FILTER_OPTIONS, githubFilterReason } from '../src/sources/github/filters.js';
import { pretokenCount } from '../src/sources/github/tokens.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const mbArg = args.indexOf('--mb');
const capBytes = (mbArg >= 0 ? Number(args[mbArg + 1]) : 24) * 1e6;
const json = args.includes('--json');
const EXT = new Set(['.js', '.ts', '.c', '.h', '.cc', '.md', '.py']);

function gather(capBytes: number): Array<{ path: string; text: string }> {
  const out: Array<{ path: string; text: string }> = [];
  let total = 0;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (total >= capBytes) return;
      const full = join(dir, name);
      const st = statSync(full, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(full);
      else if (st.isFile() && st.size < 1 << 20 && EXT.has(extname(name))) {
        const text = readFileSync(full, 'utf8');
        out.push({ path: relative(root, full), text });
        total += Buffer.byteLength(text);
      }
    }
  };
  walk(join(root, 'node_modules'));
  return out;
}

const PEER = String.raw`
import json, re, sys, time
WHITELIST = (".asm", ".bat", ".cmd", ".c", ".h", ".cs", ".cpp", ".hpp", ".c++", ".h++", ".cc", ".hh", ".C", ".H", ".cmake", ".css",
  ".dockerfile", ".f90", ".f", ".f03", ".f08", ".f77", ".f95", ".for", ".fpp", ".go", ".hs", ".html", ".java", ".js", ".jl", ".lua",
  ".md", ".markdown", ".php", ".php3", ".php4", ".php5", ".phps", ".phpt", ".pl", ".pm", ".pod", ".perl", ".ps1", ".psd1", ".psm1",
  ".py", ".rb", ".rs", ".sql", ".scala", ".sh", ".bash", ".command", ".zsh", ".ts", ".tsx", ".tex", ".vb", "Dockerfile", "Makefile",
  ".xml", ".rst", ".m", ".smali")
BLOCK = re.compile(r"/\*[^*]*\*+(?:[^/*][^*]*\*+)*/")
PRETOK = re.compile(r"'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?[^\s\w]+|\s+(?!\S)|\s+")
def clean(content):
    m = BLOCK.search(content)
    if m:
        if "copyright" in m.group(0).lower():
            content = content.replace(m.group(0), "", 1)
        return content
    lines = content.split("\n"); skip = 0
    for line in lines:
        if line.startswith("//") or line.startswith("#") or line.startswith("--") or not line: skip += 1
        else: break
    return "\n".join(lines[skip:]) if skip else content
def keep(text, path):
    if len(text) == 0: return False
    if not path.endswith(WHITELIST): return False
    lines = text.splitlines()
    if max(len(l) for l in lines) > 1000: return False
    if len(text) / len(lines) > 100: return False
    if sum(c.isalnum() for c in text) / len(text) < 0.25: return False
    return sum(c.isalpha() for c in text) / len(PRETOK.findall(text)) >= 1.5
docs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
t = time.process_time(); kept = 0
for d in docs:
    text = clean(d["text"])
    if keep(text, d["path"]): kept += 1
print(json.dumps({"seconds": time.process_time() - t, "kept": kept}))
`;

/** CPU seconds (user + system) of one run: on a shared machine wall time also counts other processes' turns. */
function time(fn: () => void): number {
  const t = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1e6;
}

/** A row in bench/curated.ts's format (structurally its `Row`). */
export interface GithubBenchRow {
  case: string;
  measure: string;
  value: number;
  unit: string;
  peer?: number;
  ratio?: number;
  note?: string;
}

/** Runs the three measurements; the `github-filter` case of `npm run bench:curated`. */
export async function runGithubBench(mbCap = capBytes / 1e6): Promise<{ files: number; mb: number; rows: GithubBenchRow[] }> {
  const docs = gather(mbCap * 1e6);
  const bytes = docs.reduce((a, d) => a + Buffer.byteLength(d.text), 0);
  const mb = bytes / 1e6;

  let kept = 0;
  const run = () => {
    kept = 0;
    for (const d of docs) if (githubFilterReason(d.text, d.path, DEFAULT_FILTER_OPTIONS, pretokenCount) === null) kept++;
  };
  run(); // warm-up
  const filterS = Math.min(time(run), time(run));
  const docRun = () => {
    for (const d of docs) githubDocument({ id: d.path, repo_name: 'bench/bench', path: d.path, license: 'MIT', content: d.text }, 'fixed');
  };
  docRun();
  const docS = Math.min(time(docRun), time(docRun));

  const dir = mkdtempSync(join(tmpdir(), 'cm-bench-gh-'));
  let peer: { seconds: number; kept: number };
  try {
    const input = join(dir, 'docs.jsonl');
    writeFileSync(input, `${docs.map((d) => JSON.stringify({ path: d.path, text: d.text })).join('\n')}\n`);
    const script = join(dir, 'peer.py');
    writeFileSync(script, PEER);
    peer = JSON.parse(execFileSync('/usr/bin/python3', [script, input], { maxBuffer: 1 << 26 }).toString()) as { seconds: number; kept: number };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const peerMbps = mb / peer.seconds;
  const note = `${docs.length} files, ${mb.toFixed(1)} MB from node_modules`;
  const rows: GithubBenchRow[] = [
    {
      case: 'github-filter',
      measure: 'github_filters',
      value: mb / filterS,
      unit: 'MB/s',
      peer: peerMbps,
      ratio: peer.seconds / filterS,
      note: `${note}; kept ${kept}, peer kept ${peer.kept}`,
    },
    { case: 'github-filter', measure: 'reader document (header + stats + sha256)', value: mb / docS, unit: 'MB/s', note },
    { case: 'github-filter', measure: 'RedPajama clean + filter (Python 3, peer)', value: peerMbps, unit: 'MB/s', note },
  ];
  return { files: docs.length, mb, rows };
}

/** The case object bench/curated.ts lists in `cases`. */
export const githubFilterCase = { name: 'github-filter', run: async () => (await runGithubBench()).rows };

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { files, mb, rows } = await runGithubBench();
  if (json) process.stdout.write(`${JSON.stringify({ files, mb, rows }, null, 1)}\n`);
  else {
    process.stdout.write(`GitHub filtering, one core (MB per CPU second), ${files} files, ${mb.toFixed(1)} MB of code from node_modules\n`);
    for (const r of rows) process.stdout.write(`  ${r.measure.padEnd(44)} ${r.value.toFixed(1).padStart(7)} ${r.unit}${r.ratio ? `  (${r.ratio.toFixed(1)}x the peer)` : ''}\n`);
  }
}
