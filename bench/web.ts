/**
 * `npm run bench:web`: throughput of the CommonCrawl/CCNet steps, one row per step, in MB/s of WET
 * text per core (one thread), on generated WET segments in Common Crawl's format.
 *
 * Rows: WET parse (gunzip + WARC framing + cc_net body rules), the `ccnet_line_dedup` step's scan
 * pass (normalise + SHA-1 of every line, hash files written) and main pass (group loaded, stored
 * hashes read back, lines removed), and the C4 rules. Later steps (language id, LM, classifier) add rows with `row()`.
 *
 * The peer: cc_net itself is not installable offline (pip), so its two hot loops, WET parsing
 * (`process_wet_file.group_by_docs`/`parse_doc`) and line hashing (`dedup.compute_hashes` with
 * `normalize_for_dedup`), are re-typed in CPython from their definitions and run by
 * /usr/bin/python3 on the same files in the same run; the ratio column compares against them.
 *
 *   npm run bench:web -- [--segments 8] [--pages 400]
 */
import { languageIdStep } from '../src/filters/ccnet/language-id.js';
import { stepEnv, taskContext } from '../src/pipeline/standalone.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeCommonCrawlSample } from '../scripts/sample/web.js';
import { readSegment } from '../src/sources/commoncrawl/source.js';
import { ccnetLineDedupStep } from '../src/filters/ccnet/line-dedup.js';
import { createLogger, setLogLevel } from '../src/core/log.js';
import { c4CleanPage } from '../src/filters/c4.js';
import type { Doc } from '../src/core/document.js';

interface Row {
  step: string;
  mb: number;
  seconds: number;
  peer?: number;
  note?: string;
}

const rows: Row[] = [];
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};

/**
 * Times `fn` over `bytes` of text and records a row. CPU time of this process (user + system), not
 * wall time: the machine is shared, and "per core" is what the goals are stated in. A warm-up run
 * on the first documents comes first so the JIT has compiled the hot path, and each row runs three
 * times (the fastest run counts: V8 needs a couple of runs to settle).
 */
export async function row(step: string, bytes: number, fn: () => Promise<void> | void, peerSeconds?: number, note?: string): Promise<void> {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = process.cpuUsage();
    await fn();
    const d = process.cpuUsage(t0);
    best = Math.min(best, (d.user + d.system) / 1e6);
  }
  rows.push({ step, mb: bytes / 1e6, seconds: best, peer: peerSeconds, note });
}

const PY_PEER = String.raw`
import gzip, hashlib, re, sys, time, unicodedata
PUNCT = "，。、„”“«»１」「《》´∶：？！（）；–—．～’…━〈〉【】％►"
DROP = re.compile("[" + PUNCT + "".join(map(chr, list(range(0, 32)) + list(range(127, 160)))) + "]")
DIGIT = re.compile(r"\d")
def norm(line):
    line = line.strip()
    if not line:
        return line
    return DROP.sub("", DIGIT.sub("0", line.lower()))
def docs(lines):
    doc, headers, read_headers = [], [], True
    for warc in lines:
        warc = warc.strip()
        if read_headers:
            headers.append(warc)
            read_headers = warc != ""
            continue
        if warc == "WARC/1.0":
            if headers and doc and "conversion" in headers[1]:
                yield "\n".join(doc[1:])
            headers, doc, read_headers = [warc], [], True
            continue
        if warc:
            doc.append(warc)
    if doc:
        yield "\n".join(doc[1:])
t0 = time.process_time()
contents = []
for path in sys.argv[1:]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        contents.extend(docs(f))
t1 = time.process_time()
n = 0
for c in contents:
    for l in c.split("\n"):
        h = int.from_bytes(hashlib.sha1(norm(l).encode("utf-8")).digest()[:8], "little")
        n += 1
t2 = time.process_time()
print(t1 - t0, t2 - t1)
`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-web-'));
  try {
    const files = await makeCommonCrawlSample(pathToFileURL(`${dir}/`), { seed: 11, segments: arg('segments', 8), perSegment: arg('pages', 400) });
    const quiet = createLogger('bench');
    setLogLevel('error');
    const ctx = { log: quiet, advance() {}, quarantine() {}, count() {} };
    const params = { base_url: '', dumps: ['2023-06'], max_record_bytes: 64 << 20 };

    // Read once to size the input (WET text bytes = uncompressed record bodies).
    let wetBytes = 0;
    const docs: Doc[] = [];
    for (const f of files) {
      for await (const d of readSegment({ path: f, name: f, url: '', bytes: statSync(f).size }, params, ctx)) docs.push(d);
    }
    wetBytes = Number(
      execFileSync('sh', ['-c', `cat ${files.map((f) => `'${f}'`).join(' ')} | gzip -dc | wc -c`])
        .toString()
        .trim(),
    );
    const textBytes = docs.reduce((n, d) => n + Buffer.byteLength(d.text), 0);

    const peer = execFileSync('/usr/bin/python3', ['-c', PY_PEER, ...files], { encoding: 'utf8' })
      .trim()
      .split(/\s+/)
      .map(Number);

    // Warm-up: every hot path once on a slice of the input.
    for await (const _ of readSegment({ path: files[0]!, name: files[0]!, url: '', bytes: statSync(files[0]!).size }, params, ctx));
    for (const d of docs.slice(0, 300)) c4CleanPage(d.text, { min_words_per_line: 5, min_sentences: 3, max_word_length: 1000, max_page_chars: 190_000 }, null);

    await row(
      'WET parse (gunzip + WARC + cc_net body rules)',
      wetBytes,
      async () => {
        for (const f of files) for await (const _ of readSegment({ path: f, name: f, url: '', bytes: statSync(f).size }, params, ctx));
      },
      peer[0],
      'MB of uncompressed WET',
    );

    // The real step, both passes, as the runtime runs them on one task (state in a temp folder).
    const stateDir = join(dir, 'state');
    const step = await ccnetLineDedupStep.create(ccnetLineDedupStep.params.parse({}), stepEnv({ pipelineDir: dir, stateDir: stateDir, log: quiet }));
    const scanPass = step.passes![0]!;
    const taskCtx = taskContext({ stateDir, source: 'commoncrawl', log: quiet });
    async function* each(): AsyncGenerator<Doc> {
      yield* docs;
    }
    await row(
      'ccnet_line_dedup scan pass (normalise + sha1 per line, hash files)',
      textBytes,
      async () => {
        if (scanPass.kind === 'scan') await scanPass.scan(each(), taskCtx);
      },
      peer[1],
      'MB of document text',
    );

    await row('ccnet_line_dedup main pass (load group, stored hashes, remove)', textBytes, async () => {
      for await (const _ of step.run(each(), taskCtx));
    });

    const p = { min_words_per_line: 5, min_sentences: 3, max_word_length: 1000, max_page_chars: 190_000 };
    await row('c4_rules', textBytes, () => {
      for (const d of docs) c4CleanPage(d.text, p, null);
    });

    // Language id (docs/web-models.md): the real step, native fastText with lid.176.ftz, on the
    // same documents (before line dedup, so slightly more text than the stage feeds it).
    const lid = await languageIdStep.create(languageIdStep.params.parse({}), stepEnv({ pipelineDir: dir, stateDir: stateDir, log: quiet }));
    for await (const _ of lid.run(
      (async function* () {
        yield* docs.slice(0, 300);
      })(),
      taskCtx,
    ));
    await row(
      'language_id (native fastText, lid.176.ftz)',
      textBytes,
      async () => {
        for await (const _ of lid.run(each(), taskCtx));
      },
      undefined,
      'MB of document text',
    );

    console.log(
      `input: ${files.length} WET segments, ${docs.length} documents, ${(wetBytes / 1e6).toFixed(1)} MB WET, ${(textBytes / 1e6).toFixed(1)} MB text; one thread, CPU time`,
    );
    console.log('| step | MB/s | peer MB/s (cc_net algorithm, CPython) | ratio |');
    console.log('|---|---:|---:|---:|');
    for (const r of rows) {
      const ours = r.mb / r.seconds;
      const theirs = r.peer ? r.mb / r.peer : undefined;
      console.log(`| ${r.step} | ${ours.toFixed(1)} | ${theirs ? theirs.toFixed(1) : '–'} | ${theirs ? `${(ours / theirs).toFixed(2)}×` : '–'} |`);
    }
    const parse = rows[0]!;
    const scan = rows[1]!;
    const main = rows[2]!;
    // As the runtime runs the stage: the scan pass reads (parses) the WET, the main pass reads it again.
    const combined = wetBytes / 1e6 / (2 * parse.seconds + scan.seconds + main.seconds);
    console.log(`WET parse + line dedup, as the runtime runs it (WET parsed in both passes): ${combined.toFixed(1)} MB/s of WET per core`);
    const lidRow = rows.find((r) => r.step.startsWith('language_id'))!;
    const withLid = wetBytes / 1e6 / (2 * parse.seconds + scan.seconds + main.seconds + lidRow.seconds);
    console.log(`WET parse + line dedup + language id: ${withLid.toFixed(1)} MB/s of WET per core`);
    console.log(`peak RSS: ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB (includes the ${docs.length} documents held for the bench)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
