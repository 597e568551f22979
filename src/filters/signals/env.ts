/**
 * The per-pipeline inputs of the signals: stop words by document language (meta.language when a list
 * exists for it, else the configured default) and the optional LDNOOBW bad-word list (one entry per
 * line, as in the LDNOOBW repository), resolved against the pipeline folder.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Doc } from '../../core/document.js';
import type { SignalEnv } from './signals.js';
import { stopWordLanguages, stopWords } from './stopwords.js';

export interface SignalEnvOptions {
  lang: string;
  bad_words_file?: string;
}

export function signalEnvFactory(opts: SignalEnvOptions, pipelineDir: string): (doc: Doc) => SignalEnv {
  const known = new Set(stopWordLanguages());
  const fallback = stopWords(opts.lang);
  const badWords = opts.bad_words_file
    ? new Set(
        readFileSync(resolve(pipelineDir, opts.bad_words_file), 'utf8')
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
      )
    : undefined;
  const envs = new Map<string, SignalEnv>();
  return (doc) => {
    const lang = typeof doc.meta.language === 'string' && known.has(doc.meta.language) ? doc.meta.language : opts.lang;
    let env = envs.get(lang);
    if (!env) {
      env = { stopWords: lang === opts.lang ? fallback : stopWords(lang), badWords };
      envs.set(lang, env);
    }
    return env;
  };
}
