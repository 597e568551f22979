/**
 * PII removal: e-mail addresses, public IP addresses and phone numbers (pii-detect.ts) are replaced
 * in the text, or only counted and located (`mode: annotate`).
 *
 * Replacements (`style`):
 * - `dolma` (default): the tokens Dolma masks PII with and OLMo's tokenizer has as special tokens
 *   (Soldaini et al. 2024, "Dolma", §PII): `|||EMAIL_ADDRESS|||`, `|||PHONE_NUMBER|||`,
 *   `|||IP_ADDRESS|||`. Dolma also removes documents with six or more PII spans: `max_spans: 5`.
 * - `datatrove`: datatrove's PIIFormatter (pipeline/formatters/pii.py) defaults: e-mails become
 *   `email@example.com` / `firstname.lastname@example.org` in turn, IPs six unrouted addresses in
 *   turn. datatrove has no phone replacement; phones get Dolma's token. datatrove's turn counter
 *   runs across all the documents a worker sees (so outputs depend on the worker count); here it
 *   restarts with every document.
 * `replacements` overrides any kind (a string, or a list used in turn).
 *
 * Every document with PII gets `meta.pii = {<kind>: <count>}` (annotate mode adds
 * `spans: [[kind, start, end]]` in code points, as Python and dolma index text); counters
 * `email`, `ip`, `phone` and `docs_with_pii` sum them over the stage.
 * Memory: one document.
 */
import { z } from 'zod';
import type { Doc } from '../core/document.js';
import { defineStep, type Step } from '../pipeline/step.js';
import { pyLen } from '../text/python.js';
import { findPii, PII_KINDS, type PiiKind } from './pii-detect.js';

/** Dolma's masking tokens. */
const DOLMA_REPLACEMENTS: Record<PiiKind, readonly string[]> = {
  email: ['|||EMAIL_ADDRESS|||'],
  phone: ['|||PHONE_NUMBER|||'],
  ip: ['|||IP_ADDRESS|||'],
};

/** datatrove PIIFormatter's defaults (e-mail and IP); phones as Dolma. */
const DATATROVE_REPLACEMENTS: Record<PiiKind, readonly string[]> = {
  email: ['email@example.com', 'firstname.lastname@example.org'],
  ip: ['22.214.171.124', '126.96.36.199', '188.8.131.52', '184.108.40.206', '220.127.116.11', '18.104.22.168'],
  phone: DOLMA_REPLACEMENTS.phone,
};

const replacement = z.union([z.string(), z.array(z.string()).min(1)]);

const params = z
  .object({
    kinds: z
      .array(z.enum(PII_KINDS))
      .min(1)
      .default([...PII_KINDS]),
    /** `replace` rewrites the text; `annotate` leaves it and records spans in meta.pii. */
    mode: z.enum(['replace', 'annotate']).default('replace'),
    style: z.enum(['dolma', 'datatrove']).default('dolma'),
    replacements: z.object({ email: replacement, ip: replacement, phone: replacement }).partial().strict().default({}),
    /** Only public IP addresses count (datatrove's default). */
    public_ips_only: z.boolean().default(true),
    /** Drop documents with more PII spans than this (Dolma: 5); unset keeps every document. */
    max_spans: z.number().int().min(0).optional(),
  })
  .strict();

type PiiParams = z.infer<typeof params>;

/** The document with its PII replaced or located, and how many spans it had. */
function applyPii(
  doc: Doc,
  p: PiiParams,
  table: Record<PiiKind, readonly string[]>,
  kinds: ReadonlySet<PiiKind>,
): { doc: Doc; counts: Partial<Record<PiiKind, number>>; spans: number } {
  const spans = findPii(doc.text, { kinds, publicOnly: p.public_ips_only });
  const counts: Partial<Record<PiiKind, number>> = {};
  if (spans.length === 0) return { doc, counts, spans: 0 };
  for (const s of spans) counts[s.kind] = (counts[s.kind] ?? 0) + 1;
  if (p.mode === 'annotate') {
    const located: Array<[PiiKind, number, number]> = [];
    let cp = 0;
    let at = 0;
    for (const s of spans) {
      cp += pyLen(doc.text, at, s.start);
      const len = pyLen(doc.text, s.start, s.end);
      located.push([s.kind, cp, cp + len]);
      cp += len;
      at = s.end;
    }
    return { doc: { ...doc, meta: { ...doc.meta, pii: { ...counts, spans: located } } }, counts, spans: spans.length };
  }
  const turn: Record<PiiKind, number> = { email: 0, ip: 0, phone: 0 };
  const parts: string[] = [];
  let at = 0;
  for (const s of spans) {
    const options = table[s.kind];
    parts.push(doc.text.slice(at, s.start), options[turn[s.kind]++ % options.length]!);
    at = s.end;
  }
  parts.push(doc.text.slice(at));
  return { doc: { ...doc, text: parts.join(''), meta: { ...doc.meta, pii: counts } }, counts, spans: spans.length };
}

function piiStep(p: PiiParams): Step {
  const base = p.style === 'dolma' ? DOLMA_REPLACEMENTS : DATATROVE_REPLACEMENTS;
  const table: Record<PiiKind, readonly string[]> = { email: base.email, ip: base.ip, phone: base.phone };
  for (const k of PII_KINDS) {
    const r = p.replacements[k];
    if (r !== undefined) table[k] = typeof r === 'string' ? [r] : r;
  }
  const kinds = new Set<PiiKind>(p.kinds);
  return {
    async *run(docs, ctx) {
      for await (const doc of docs) {
        const r = applyPii(doc, p, table, kinds);
        if (r.spans === 0) {
          yield doc;
          continue;
        }
        for (const k of PII_KINDS) if (r.counts[k]) ctx.count(k, r.counts[k]);
        ctx.count('docs_with_pii');
        // Dolma removes a document with too much PII; the reject keeps its original text.
        if (p.max_spans !== undefined && r.spans > p.max_spans) ctx.drop({ ...doc, meta: { ...doc.meta, pii: r.counts } }, 'too_much_pii');
        else yield r.doc;
      }
    },
  };
}

export const piiStepDef = defineStep({
  name: 'pii',
  description: 'PII: e-mails, public IPs and phone numbers replaced (Dolma tokens or datatrove values) or annotated; counts per kind',
  params,
  create: (p) => piiStep(p),
});
