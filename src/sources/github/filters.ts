/**
 * `github_filters`: RedPajama's GitHub file filter (rp_v1 data_prep/github/github_run_filter.py),
 * LLaMA's "heuristics on line length and proportion of alphanumeric characters". A file is dropped
 * when ANY rule holds, checked in RedPajama's order; the drop is counted under the first rule's name:
 *   empty            the text is empty
 *   extension        the path does not end with an allowlisted extension (case-sensitive suffix)
 *   max_line_length  the longest line has more than 1000 characters
 *   avg_line_length  characters / lines is more than 100
 *   alnum_prop       alphanumeric characters are less than 25% of all characters
 *   alpha_per_token  alphabetic characters per token are fewer than 1.5
 * Statistics are recomputed from the text (stats.ts, Python semantics), so the step also works on
 * documents from other readers as long as they carry meta.path.
 */
import { z } from 'zod';
import type { Doc } from '../../core/document.js';
import { defineStep, filterStep, lazyStep } from '../../pipeline/step.js';
import { lineStats } from './stats.js';
import { defaultTokenCounter, pretokenCount, type TokenCounter } from './tokens.js';

/** RedPajama's extension allowlist (`Dockerfile` and `Makefile` match any path ending with them). */
const REDPAJAMA_EXTENSIONS = [
  '.asm',
  '.bat',
  '.cmd',
  '.c',
  '.h',
  '.cs',
  '.cpp',
  '.hpp',
  '.c++',
  '.h++',
  '.cc',
  '.hh',
  '.C',
  '.H',
  '.cmake',
  '.css',
  '.dockerfile',
  '.f90',
  '.f',
  '.f03',
  '.f08',
  '.f77',
  '.f95',
  '.for',
  '.fpp',
  '.go',
  '.hs',
  '.html',
  '.java',
  '.js',
  '.jl',
  '.lua',
  '.md',
  '.markdown',
  '.php',
  '.php3',
  '.php4',
  '.php5',
  '.phps',
  '.phpt',
  '.pl',
  '.pm',
  '.pod',
  '.perl',
  '.ps1',
  '.psd1',
  '.psm1',
  '.py',
  '.rb',
  '.rs',
  '.sql',
  '.scala',
  '.sh',
  '.bash',
  '.command',
  '.zsh',
  '.ts',
  '.tsx',
  '.tex',
  '.vb',
  'Dockerfile',
  'Makefile',
  '.xml',
  '.rst',
  '.m',
  '.smali',
];

/** RedPajama's thresholds (github_run_filter.py). */
const MAX_LINE_LENGTH = 1000;
const MAX_AVG_LINE_LENGTH = 100;
const MIN_ALNUM_PROP = 0.25;
const MIN_ALPHA_PER_TOKEN = 1.5;

export interface GithubFilterOptions {
  extensions: string[];
  max_line_length: number;
  max_avg_line_length: number;
  min_alnum_prop: number;
  min_alpha_per_token: number;
}

export const DEFAULT_FILTER_OPTIONS: GithubFilterOptions = {
  extensions: REDPAJAMA_EXTENSIONS,
  max_line_length: MAX_LINE_LENGTH,
  max_avg_line_length: MAX_AVG_LINE_LENGTH,
  min_alnum_prop: MIN_ALNUM_PROP,
  min_alpha_per_token: MIN_ALPHA_PER_TOKEN,
};

/** The rule that drops a file, or null to keep it. */
export function githubFilterReason(text: string, path: string, o: GithubFilterOptions, countTokens: TokenCounter): string | null {
  if (text.length === 0) return 'empty';
  if (!o.extensions.some((e) => path.endsWith(e))) return 'extension';
  const st = lineStats(text);
  if (st.max_line_length > o.max_line_length) return 'max_line_length';
  if (st.avg_line_length > o.max_avg_line_length) return 'avg_line_length';
  if (st.alnum_prop < o.min_alnum_prop) return 'alnum_prop';
  // The stand-in count comes out of the statistics pass already; a real tokenizer runs here.
  const tokens = countTokens === pretokenCount ? st.pretokens : countTokens(text);
  if (st.alpha_chars / tokens < o.min_alpha_per_token) return 'alpha_per_token';
  return null;
}

const params = z
  .object({
    extensions: z.array(z.string().min(1)).default(REDPAJAMA_EXTENSIONS),
    max_line_length: z.number().positive().default(MAX_LINE_LENGTH),
    max_avg_line_length: z.number().positive().default(MAX_AVG_LINE_LENGTH),
    min_alnum_prop: z.number().min(0).max(1).default(MIN_ALNUM_PROP),
    min_alpha_per_token: z.number().min(0).default(MIN_ALPHA_PER_TOKEN),
    /**
     * Tokens for the alphabetic-characters-per-token rule. RedPajama calibrated 1.5 on the GPT-NeoX
     * BPE, which merges whitespace runs; GPT-2/NeoX pre-tokens track it closely (the default). The
     * LLaMA tokenizer splits code into more tokens (every indentation space), so with `llama2` the
     * same threshold drops more files (3x more on the sample).
     */
    tokenizer: z.enum(['pretokens', 'llama2']).default('pretokens'),
  })
  .strict();

function pathOf(doc: Doc): string | null {
  return typeof doc.meta.path === 'string' ? doc.meta.path : null;
}

export const githubFiltersStep = defineStep({
  name: 'github_filters',
  description: "RedPajama's GitHub file filters: extension allowlist, line lengths, alphanumeric share, alphabetic characters per token",
  params,
  create(p) {
    return lazyStep(async () => {
      const countTokens = p.tokenizer === 'pretokens' ? pretokenCount : await defaultTokenCounter();
      return filterStep((doc) => {
        const path = pathOf(doc);
        if (path === null) return 'no_path';
        return githubFilterReason(doc.text, path, p, countTokens);
      });
    });
  },
});
