/**
 * Stop-word sets for `rps_doc_stop_word_fraction`: RedPajama-V2 uses the lists of the stopwords-json
 * project (github.com/6/stopwords-json, Apache-2.0), matched case-sensitively against raw words.
 * data/stopwords.json holds those lists (package stopwords-json 1.2.0) for the five RPv2 languages.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../core/errors.js';

let lists: Record<string, string[]> | undefined;
const sets = new Map<string, ReadonlySet<string>>();

function dataPath(): string {
  const here = fileURLToPath(new URL('./data/stopwords.json', import.meta.url));
  // Compiled code runs from dist/src/…; the data stays beside the TypeScript source.
  return existsSync(here) ? here : here.replace(/([\\/])dist[\\/]src[\\/]/, '$1src$1');
}

export function stopWordLanguages(): string[] {
  lists ??= JSON.parse(readFileSync(dataPath(), 'utf8')) as Record<string, string[]>;
  return Object.keys(lists);
}

export function stopWords(lang: string): ReadonlySet<string> {
  let s = sets.get(lang);
  if (!s) {
    lists ??= JSON.parse(readFileSync(dataPath(), 'utf8')) as Record<string, string[]>;
    const words = lists[lang];
    if (!words) throw new ConfigError(`no stop-word list for language "${lang}" (have: ${Object.keys(lists).join(', ')})`);
    s = new Set(words);
    sets.set(lang, s);
  }
  return s;
}
