import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { trainLm, trainLmArpa } from '../src/models/ngram/train.js';
import { writeArpa } from '../src/models/ngram/arpa.js';
const samples = 'test/data';
const paras: string[] = [];
for (const f of readdirSync(join(samples, 'gutenberg')).filter((n) => n.endsWith('.txt'))) paras.push(...readFileSync(join(samples, 'gutenberg', f), 'utf8').split(/\r?\n\r?\n/));
const wt = join(samples, 'wikipedia', 'wikitext-wtf_wikipedia');
for (const f of readdirSync(wt)) paras.push(...readFileSync(join(wt, f), 'utf8').split('\n'));
for (const f of readdirSync(join(samples, 'c4')).filter((n) => n.endsWith('.gz'))) for (const line of gunzipSync(readFileSync(join(samples, 'c4', f))).toString('utf8').split('\n')) if (line) paras.push(...(JSON.parse(line) as { text: string }).text.split('\n'));
paras.push('ΟΔΥΣΣΕΥΣ ΚΑΙ ΠΗΝΕΛΟΠΗΣ', 'a <s> b </s> <unk> c', '\ufeff', 'x\u00a0y\u3000z');
const dir = mkdtempSync(join(tmpdir(), 'lmcmp-'));
const input = join(dir, 'in.jsonl');
const docs: string[] = [];
for (let i = 0; i < paras.length; i += 8) docs.push(paras.slice(i, i + 8).join('\n'));
writeFileSync(input, docs.map((t) => JSON.stringify({ text: t })).join('\n') + '\n');
const bytes = Buffer.byteLength(docs.join(''));
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
for (const order of [Number(process.argv[2] ?? 5)]) {
  for (const tok of (process.argv[3] ?? 'whitespace').split(',')) {
    let t0 = cpu();
    const n = await trainLmArpa([input], join(dir, `native-${order}-${tok}.arpa`), { order, tokenizer: tok });
    const tn = cpu() - t0;
    t0 = cpu();
    const r = await trainLm([input], { order, tokenizer: tok });
    await writeArpa(r.model, join(dir, `ts-${order}-${tok}.arpa`));
    const tt = cpu() - t0;
    let same = 'SAME';
    try { execFileSync('cmp', [join(dir, `native-${order}-${tok}.arpa`), join(dir, `ts-${order}-${tok}.arpa`)]); } catch (e) { same = String((e as any).stdout); }
    console.log(order, tok, n.ngrams, 'native MB/s', (bytes / 1e6 / tn).toFixed(2), 'ts MB/s', (bytes / 1e6 / tt).toFixed(2), same, dir);
  }
}
