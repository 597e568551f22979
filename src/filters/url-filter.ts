/**
 * URL filtering as datatrove's URLFilter (pipeline/filters/url_filter.py) does it for FineWeb: a
 * document whose `meta.url` is on a UT1-format blocklist, or whose URL holds banned words, is
 * dropped; the drop reason says why: `blocklist_<category>` for list matches (so drops are counted
 * per category), `banned_word`, `soft_banned_words` and `banned_subword` for the word rules.
 *
 * Lists (url-blocklist.ts for the matching rules): `blocklists` is a UT1 folder or its
 * `blacklists.tar.gz` (categories: all, or `categories: [adult, phishing]`); `lists` adds the user's
 * own `{category, domains, urls}` files. Word rules as datatrove's: the URL split into runs of ASCII
 * letters and digits; any `banned_words` word blocks it, `soft_word_threshold` (2) or more
 * `soft_banned_words` block it, and any `banned_subwords` entry inside the URL with everything but
 * letters and digits removed blocks it. Words are the user's (a list, or a file with one per line):
 * datatrove's built-in word lists are not shipped.
 *
 * Passes: reduce `lists` (one task) hashes every list entry into `lists.bin` (io/hash-index.ts) and
 * writes `lists.json` (entries per category); the main pass loads the index once per worker.
 * Memory: 8 bytes per list entry per worker (37 MB for UT1 `adult`); building holds twice that and
 * one list file's text at a time.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { Doc } from '../core/document.js';
import { HashIndex } from '../io/hash-index.js';
import { defineStep, type Step, type TaskContext } from '../pipeline/step.js';
import { alnumLower, buildBlocklistIndex, type ListFile, matchBlocklist, readUt1, urlWords } from './url-blocklist.js';

const INDEX_FILE = 'lists.bin';
const SUMMARY_FILE = 'lists.json';

const words = z.union([z.array(z.string()), z.string()]);

const params = z
  .object({
    /** A UT1 folder (`blacklists/`) or `blacklists.tar.gz`, relative to the pipeline's folder. */
    blocklists: z.string().optional(),
    /** UT1 categories to use (default: every category found). */
    categories: z.array(z.string()).min(1).optional(),
    /** Extra lists of the user's own, in UT1's line format. */
    lists: z.array(z.object({ category: z.string().regex(/^[\w.-]+$/), domains: z.string().optional(), urls: z.string().optional() }).strict()).default([]),
    banned_words: words.default([]),
    soft_banned_words: words.default([]),
    banned_subwords: words.default([]),
    soft_word_threshold: z.number().int().min(1).default(2),
    /** Where the URL is: a meta key (dotted for nested ones). */
    url_key: z.string().default('url'),
    /** `drop` removes blocked documents; `annotate` keeps them with meta.url_filter. */
    mode: z.enum(['drop', 'annotate']).default('drop'),
  })
  .strict();

type Params = z.infer<typeof params>;

function metaValue(doc: Doc, key: string): unknown {
  let v: unknown = doc.meta;
  for (const part of key.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

interface UrlVerdict {
  reason: string;
  detail: Record<string, unknown>;
}

function urlFilterStep(p: Params, pipelineDir: string): Step {
  const at = (f: string) => (isAbsolute(f) ? f : resolve(pipelineDir, f));
  const wordList = (w: string | string[], what: string): string[] => {
    if (Array.isArray(w)) return w;
    try {
      return readFileSync(at(w), 'utf8')
        .split(/\r?\n/)
        .filter((l) => l.trim() !== '' && !l.startsWith('#'));
    } catch (e) {
      throw new ConfigError(`url_filter: ${what}: cannot read ${at(w)} (${(e as Error).message})`);
    }
  };
  // datatrove normalises list words to lower-case letters and digits.
  const banned = new Set(wordList(p.banned_words, 'banned_words').map(alnumLower).filter(Boolean));
  const soft = new Set(wordList(p.soft_banned_words, 'soft_banned_words').map(alnumLower).filter(Boolean));
  const subwords = [...new Set(wordList(p.banned_subwords, 'banned_subwords').map(alnumLower).filter(Boolean))];
  const hasLists = p.blocklists !== undefined || p.lists.length > 0;

  let loaded: { index: HashIndex; categories: string[] } | undefined;
  const lists = (ctx: TaskContext) => {
    if (!loaded) {
      const { categories } = JSON.parse(readFileSync(ctx.state.path(SUMMARY_FILE), 'utf8')) as { categories: string[] };
      loaded = { index: HashIndex.fromBytes(readFileSync(ctx.state.path(INDEX_FILE)), ctx.state.path(INDEX_FILE)), categories };
    }
    return loaded;
  };

  const judge = (url: string, ctx: TaskContext): UrlVerdict | null | 'bad_url' => {
    if (hasLists) {
      const { index, categories } = lists(ctx);
      const m = matchBlocklist(url, index, categories);
      if (m === 'bad_url') return m;
      if (m) {
        ctx.count(`${m.match}_match`);
        return { reason: `blocklist_${m.category}`, detail: { category: m.category, match: m.match, entry: m.entry } };
      }
    }
    if (banned.size || soft.size) {
      const ws = urlWords(url);
      for (const w of ws) if (banned.has(w)) return { reason: 'banned_word', detail: { word: w } };
      const softHits = [...ws].filter((w) => soft.has(w));
      if (softHits.length >= p.soft_word_threshold) return { reason: 'soft_banned_words', detail: { words: softHits } };
    }
    if (subwords.length) {
      const flat = alnumLower(url);
      const sub = subwords.find((s) => flat.includes(s));
      if (sub !== undefined) return { reason: 'banned_subword', detail: { subword: sub } };
    }
    return null;
  };

  return {
    passes: hasLists
      ? [
          {
            kind: 'reduce',
            name: 'lists',
            tasks: 1,
            async reduce(ctx) {
              const files: ListFile[] = p.blocklists !== undefined ? await readUt1(at(p.blocklists), p.categories) : [];
              for (const l of p.lists) {
                if (!l.domains && !l.urls) throw new ConfigError(`url_filter: list ${l.category} names neither domains nor urls`);
                for (const kind of ['domains', 'urls'] as const) {
                  const f = l[kind];
                  if (f) files.push({ category: l.category, kind, label: at(f), text: readFileSync(at(f), 'utf8') });
                }
              }
              const categories = [...new Set(files.map((f) => f.category))].sort();
              if (categories.length > 256) throw new ConfigError(`url_filter: ${categories.length} categories; at most 256`);
              const { builder, summary } = buildBlocklistIndex(files, categories);
              await ctx.state.write(INDEX_FILE, builder.bytes());
              await ctx.state.writeJson(SUMMARY_FILE, summary);
              for (const [c, n] of Object.entries(summary.entries)) ctx.count(`entries_${c}`, n.domains + n.urls);
            },
          },
        ]
      : [],
    async *run(docs, ctx) {
      for await (const doc of docs) {
        const url = metaValue(doc, p.url_key);
        if (typeof url !== 'string' || url === '') {
          ctx.count('no_url');
          yield doc;
          continue;
        }
        const v = judge(url, ctx);
        if (v === 'bad_url') {
          ctx.count('bad_url');
          yield doc;
          continue;
        }
        if (!v) {
          yield doc;
          continue;
        }
        const marked: Doc = { ...doc, meta: { ...doc.meta, url_filter: { reason: v.reason, ...v.detail } } };
        if (p.mode === 'drop') ctx.drop(marked, v.reason);
        else {
          ctx.count(v.reason);
          yield marked;
        }
      }
    },
  };
}

export const urlFilterStepDef = defineStep({
  name: 'url_filter',
  description: 'URL blocklists (UT1 format, per category) and banned words in the URL, as datatrove URLFilter',
  params,
  create: (p, env) => urlFilterStep(p, env.pipelineDir),
});
