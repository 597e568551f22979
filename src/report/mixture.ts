/**
 * The LLaMA training mixture (Touvron et al. 2023, Table 1): sampling proportion and epochs per
 * source over 1.4T tokens. Used by the report (tokens against targets) and by `corpusmill mix`.
 */
export interface MixtureTarget {
  source: string;
  proportion: number;
  epochs: number;
}

export const LLAMA_MIXTURE: MixtureTarget[] = [
  { source: 'commoncrawl', proportion: 0.67, epochs: 1.1 },
  { source: 'c4', proportion: 0.15, epochs: 1.06 },
  { source: 'github', proportion: 0.045, epochs: 0.64 },
  { source: 'wikipedia', proportion: 0.045, epochs: 2.45 },
  { source: 'books', proportion: 0.045, epochs: 2.23 },
  { source: 'arxiv', proportion: 0.025, epochs: 1.06 },
  { source: 'stackexchange', proportion: 0.02, epochs: 1.03 },
];

/** LLaMA 33B/65B trained on 1.4T tokens (7B/13B on 1.0T). */
export const LLAMA_TOKENS = 1.4e12;
