/**
 * The composition root's list of features: every source and step corpusmill ships, and the `mix:`
 * section of a pipeline. Adding a feature folder is one line here; adding a step or source to a
 * feature is one line in that folder's index.ts.
 */
import { Registry } from '../pipeline/registry.js';
import * as dedup from '../dedup/index.js';
import * as filters from '../filters/index.js';
import { mixSection } from '../mix/config.js';
import * as arxiv from '../sources/arxiv/index.js';
import * as books from '../sources/books/index.js';
import * as c4 from '../sources/c4/index.js';
import * as commoncrawl from '../sources/commoncrawl/index.js';
import * as github from '../sources/github/index.js';
import * as instruct from '../sources/instruct/index.js';
import * as jsonl from '../sources/jsonl/index.js';
import * as parquet from '../sources/parquet/index.js';
import * as stackexchange from '../sources/stackexchange/index.js';
import * as textFiles from '../sources/text_files/index.js';
import * as wikipedia from '../sources/wikipedia/index.js';
import * as tokenize from '../tokenize/index.js';

const FEATURES = [jsonl, textFiles, parquet, c4, github, commoncrawl, arxiv, books, wikipedia, stackexchange, instruct, filters, dedup, tokenize];

/** A fresh registry of everything built in (plugins loaded by a pipeline add to it). */
export function createRegistry(): Registry {
  return new Registry(FEATURES).addSection('mix', mixSection);
}
