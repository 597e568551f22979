/**
 * Inputs of `pipelines/sample-modern.yaml` (the steps beyond RedPajama), under samples/modern/:
 * - `web-pages.jsonl`: web pages of five sites, each page wrapped in its site's navigation and
 *   footer lines and (most) in a cookie notice shared by all sites, so `paragraph_dedup` has
 *   boilerplate to remove; planted: pages on UT1-listed hosts (per category) and one with a banned
 *   word in its URL, pages with e-mails, phones and IP addresses, pages quoting a benchmark
 *   question, and spam pages the quality classifier scores low. The counts are in MODERN_SAMPLE.
 * - `ut1/blacklists/<category>/{domains,urls}`: a UT1-format blocklist.
 * - `benchmarks/quiz-test.jsonl`: an MMLU-shaped benchmark (question, choices, answer).
 * - `quality/{positive,negative}.jsonl` and `../models/sample-quality.bin`: the classifier's
 *   training documents and the model `corpusmill classifier train` makes from them (same code:
 *   `--positive … --negative … --holdout 0 --seed 21 --dim 8 --bucket 1024 --epochs 10 --lr 0.5`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { trainLinearClassifier } from '../../src/models/fasttext-train.js';
import { buildQualityTrainingSet } from '../../src/models/quality/corpus.js';
import { paragraph, pick, rng, sentence } from './rng.js';

export const MODERN_SAMPLE = {
  pages: 100,
  /** url_filter drops, by reason. */
  blocked: { blocklist_adult: 3, blocklist_gambling: 2, blocklist_phishing: 2, banned_word: 1 },
  /** PII planted in pages that survive url_filter. */
  pii: { email: 12, phone: 10, ip: 4 },
  contaminated: 5,
  spam: 12,
} as const;

export const QUALITY_TRAIN = { seed: 21, dim: 8, bucket: 1024, epochs: 10, lr: 0.5 } as const;

const SITES = [
  { host: 'news.example.com', nav: 'Home | World | Local | Sport | Weather | Contact', footer: 'Copyright 2024 Valley News Ltd. All rights reserved.' },
  { host: 'blog.example.org', nav: 'Blog > Archive > About me', footer: 'Powered by a small static site generator. Comments are moderated.' },
  { host: 'forum.example.com', nav: 'Forum index | Search | Members | FAQ | Login', footer: 'Forum rules apply to every post. Report abuse to the moderators.' },
  { host: 'recipes.example.org', nav: 'Recipes | Baking | Dinners | Desserts | Newsletter', footer: 'Nutrition values are estimates. Always check allergens.' },
  { host: 'shop.example.net', nav: 'Shop | Cart | Deals | Account', footer: 'Prices include VAT. Free returns within 30 days.' },
];
const COOKIE = 'We use cookies to give you the best experience on our website. By continuing you agree to our cookie policy.';
const SPAM = [
  'Click here to buy now',
  'Best price guaranteed, free shipping today',
  'Limited offer: 50% off everything',
  'Hot deals on cheap watches and bags',
  'Call now for a free quote',
  'Share on Facebook Tweet Pin it',
  'Sign up for our newsletter',
  'Login | Register | Forgot password',
];
const NAMES = [
  'alice.moreau',
  'b.kowalski',
  'chen.wei',
  'dana.ortiz',
  'e.lindqvist',
  'farah.haddad',
  'g.rossi',
  'hugo.martin',
  'ines.costa',
  'j.okafor',
  'kim.nguyen',
  'l.schmidt',
];
const PUBLIC_IPS = ['93.184.215.14', '151.101.1.69', '185.199.108.153', '104.16.132.229'];

const QUESTIONS = [
  'Which of the following statements best describes why the river attracts visitors from across the region during the summer?',
  'According to the passage, what did the research team remember about the results of a ten-year study after the storm?',
  'In the example above, which action of the local committee most directly protects the history of the valley?',
  'Which of the following is the most likely reason that the old bridge needs a careful plan for the winter?',
  'What does the author suggest when she explains that the museum offers an unusual collection of maps to students?',
  'Which choice best summarises how the school choir celebrates the work of local artists every spring?',
];

// Short choices: a generated sentence here could also occur in a page by chance and plant contamination nobody meant.
const CHOICES = [
  ['only in winter', 'because of the storm', 'to save energy', 'none of the above'],
  ['the maps', 'the bread', 'the trail', 'the choir'],
  ['it was rebuilt', 'it was sold', 'it was closed', 'it was painted'],
];

export async function makeModernSample(root: URL): Promise<void> {
  const dir = fileURLToPath(new URL('modern/', root));
  const r = rng(16);
  mkdirSync(`${dir}/benchmarks`, { recursive: true });
  const bench = QUESTIONS.map((question, i) => ({ id: `quiz-${i}`, question, choices: CHOICES[i % CHOICES.length]!, answer: i % 4 }));
  writeFileSync(`${dir}/benchmarks/quiz-test.jsonl`, `${bench.map((b) => JSON.stringify(b)).join('\n')}\n`);

  const lists: Record<string, { domains: string[]; urls: string[] }> = {
    adult: { domains: ['hotcams.example', 'www.naughty-tube.example'], urls: ['bigsite.example/adult'] },
    gambling: { domains: ['casino-royal.example'], urls: [] },
    phishing: { domains: ['secure-login-verify.example'], urls: ['docs-share.example/invoice'] },
  };
  for (const [category, l] of Object.entries(lists)) {
    mkdirSync(`${dir}/ut1/blacklists/${category}`, { recursive: true });
    writeFileSync(`${dir}/ut1/blacklists/${category}/domains`, `${l.domains.join('\n')}\n`);
    if (l.urls.length) writeFileSync(`${dir}/ut1/blacklists/${category}/urls`, `${l.urls.join('\n')}\n`);
  }
  const blockedUrls = [
    'https://hotcams.example/live/1',
    'https://m.naughty-tube.example/v/22',
    'https://www.bigsite.example/adult/gallery.html',
    'https://casino-royal.example/poker',
    'https://www.casino-royal.example/slots?ref=home',
    'https://secure-login-verify.example/account/verify',
    'http://docs-share.example/invoice/view.php?id=8',
    'https://pics.example.net/xxx/gallery-3',
  ];

  const pages: Array<{ id: string; text: string; meta: { url: string } }> = [];
  let emails = 0;
  let phones = 0;
  let ips = 0;
  for (let i = 0; i < MODERN_SAMPLE.pages; i++) {
    const site = SITES[i % SITES.length]!;
    const blocked = i < blockedUrls.length ? blockedUrls[i]! : undefined;
    const spam = i >= 80 && i < 80 + MODERN_SAMPLE.spam;
    const lines = [site.nav, sentence(r).replace(/\.$/, '')];
    if (spam) for (let k = 0; k < 4; k++) lines.push(`${Array.from({ length: 4 }, () => pick(r, SPAM)).join('. ')}.`);
    else for (let k = 0; k < 3; k++) lines.push(paragraph(r, 4));
    if (!blocked && i >= 10 && i < 22) {
      lines.push(`Questions about this page? Write to ${NAMES[i - 10]}@${site.host}${i % 6 === 0 ? '' : ` or call (212) 555-01${String(i).padStart(2, '0')}`}.`);
      emails++;
      if (i % 6 !== 0) phones++;
    }
    if (!blocked && i >= 30 && i < 34) {
      lines.push(`My home server sits behind 192.168.1.${i} but the public address is ${PUBLIC_IPS[i - 30]}, feel free to ping it.`);
      ips++;
    }
    if (!blocked && i >= 40 && i < 40 + MODERN_SAMPLE.contaminated) lines.push(`Quiz of the day: ${bench[i - 40]!.question.toLowerCase()} Answers tomorrow!`);
    if (i % 5 !== 3) lines.push(COOKIE);
    lines.push(site.footer);
    const url = blocked ?? `https://${site.host}/${spam ? 'deals' : 'page'}/${i}`;
    pages.push({ id: `page-${String(i).padStart(3, '0')}`, text: lines.join('\n'), meta: { url } });
  }
  // Phone numbers: one per PII page but the ones at i % 6 === 0; the planted counts must agree.
  if (emails !== MODERN_SAMPLE.pii.email || phones !== MODERN_SAMPLE.pii.phone || ips !== MODERN_SAMPLE.pii.ip)
    throw new Error(`planted PII ${emails}/${phones}/${ips} disagrees with MODERN_SAMPLE`);
  writeFileSync(`${dir}/web-pages.jsonl`, `${pages.map((p) => JSON.stringify(p)).join('\n')}\n`);

  mkdirSync(`${dir}/quality`, { recursive: true });
  const pos = Array.from({ length: 200 }, (_, i) => ({ id: `pos-${i}`, text: paragraph(r, 3) }));
  const neg = Array.from({ length: 200 }, (_, i) => ({ id: `neg-${i}`, text: Array.from({ length: 3 }, () => pick(r, SPAM)).join('. ') }));
  writeFileSync(`${dir}/quality/positive.jsonl`, `${pos.map((p) => JSON.stringify(p)).join('\n')}\n`);
  writeFileSync(`${dir}/quality/negative.jsonl`, `${neg.map((p) => JSON.stringify(p)).join('\n')}\n`);
  const set = await buildQualityTrainingSet([`${dir}/quality/positive.jsonl`], [`${dir}/quality/negative.jsonl`], {
    seed: QUALITY_TRAIN.seed,
    maxPerClass: 200_000,
    balance: true,
    holdout: 0,
    positiveLabel: 'hq',
    negativeLabel: 'cc',
    minChars: 1,
  });
  mkdirSync(fileURLToPath(new URL('models/', root)), { recursive: true });
  writeFileSync(fileURLToPath(new URL('models/sample-quality.bin', root)), trainLinearClassifier(set.train, QUALITY_TRAIN).bytes);
}
