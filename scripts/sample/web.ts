/**
 * CommonCrawl sample: a `crawl-data/CC-MAIN-2023-06/wet.paths.gz` listing and three WET segments
 * in Common Crawl's real format (one gzip member per record, a warcinfo record first, 2023-06
 * header order with WARC-Identified-Content-Language, real sha1/base32 block digests), plus one
 * C4 validation file of pages for the C4 rules.
 *
 * The pages are synthetic but shaped like the web: each site repeats its navigation and footer
 * lines on every page (work for the CCNet line dedup), some pages are mirrored under another URL
 * with the same body (same WARC-Block-Digest: work for the digest dedup), several languages
 * appear (work for language id), and a few pages are planted low-quality: too short, keyword
 * spam, lorem ipsum, code with braces, a JavaScript notice.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { paragraph, pick, rng, sentence } from './rng.js';

const DUMP = '2023-06';
const SEGMENT_DIR = `crawl-data/CC-MAIN-${DUMP}/segments/1674764494826.88/wet/`;
const segmentName = (i: number) => `CC-MAIN-20230126210844-20230127000844-${String(i).padStart(5, '0')}.warc.wet.gz`;

/** Sentences in languages other than English (CC's language codes are ISO 639-3). */
const BANKS: Record<string, { code: string; lines: string[] }> = {
  de: {
    code: 'deu',
    lines: [
      'Der Wanderweg führt durch einen alten Buchenwald und endet an einem kleinen See.',
      'Im Frühling blühen hier überall Anemonen, und die Luft riecht nach feuchter Erde.',
      'Wir sind am frühen Morgen losgegangen, um der Mittagshitze zu entgehen.',
      'Die Hütte am Gipfel ist von Mai bis Oktober bewirtet und bietet einfache Gerichte an.',
      'Für die gesamte Runde sollte man etwa fünf Stunden einplanen.',
      'Festes Schuhwerk ist wichtig, weil der Abstieg nach Regen sehr rutschig sein kann.',
      'Von der Aussichtsplattform sieht man bei klarem Wetter bis zu den Alpen.',
      'Mit dem Bus kommt man bequem zurück in die Stadt.',
    ],
  },
  fr: {
    code: 'fra',
    lines: [
      'Cette tarte aux pommes se prépare en moins d’une heure avec des ingrédients simples.',
      'Commencez par étaler la pâte dans un moule beurré, puis piquez le fond avec une fourchette.',
      'Coupez les pommes en fines lamelles et disposez-les en rosace sur la pâte.',
      'Faites cuire au four pendant trente-cinq minutes jusqu’à ce que les bords soient dorés.',
      'Ma grand-mère ajoutait toujours une pincée de cannelle et un peu de sucre vanillé.',
      'Servez la tarte tiède, éventuellement accompagnée d’une boule de glace.',
      'Les restes se conservent deux jours dans un endroit frais.',
      'On peut aussi remplacer les pommes par des poires bien mûres.',
    ],
  },
  es: {
    code: 'spa',
    lines: [
      'El ayuntamiento aprobó ayer el nuevo plan de transporte para el centro de la ciudad.',
      'Según el alcalde, las obras comenzarán en septiembre y durarán unos ocho meses.',
      'Los vecinos del barrio antiguo han pedido más zonas peatonales y menos tráfico.',
      'La línea de autobús número cinco tendrá más frecuencia durante las horas punta.',
      'Los comerciantes esperan que los cambios atraigan a más visitantes los fines de semana.',
      'El proyecto incluye también un carril para bicicletas junto al río.',
      'La oposición critica el presupuesto y pide una consulta pública.',
      'El pleno volverá a reunirse el próximo mes para revisar los detalles.',
    ],
  },
  ru: {
    code: 'rus',
    lines: [
      'В субботу в городском парке прошёл традиционный осенний фестиваль.',
      'Гости могли попробовать домашнюю выпечку и купить мёд у местных пчеловодов.',
      'Для детей организовали мастер-классы по рисованию и лепке из глины.',
      'Вечером на главной сцене выступил оркестр народных инструментов.',
      'По словам организаторов, праздник посетили более трёх тысяч человек.',
      'В следующем году фестиваль планируют провести на набережной.',
      'Погода выдалась солнечной, хотя утром было довольно прохладно.',
      'Фотографии с праздника опубликованы на сайте городской администрации.',
    ],
  },
  zh: {
    code: 'zho',
    lines: [
      '我们清晨从古城出发，沿着河边的小路一直走到山脚下。',
      '山上的寺庙已经有八百多年的历史，每年春天都有很多游客来这里烧香。',
      '中午我们在村子里的小饭馆吃了当地有名的米线，味道非常鲜美。',
      '下午天气突然变凉，山顶上起了薄薄的雾。',
      '从观景台往下看，整个山谷都被绿色的茶园覆盖着。',
      '晚上回到客栈，老板给我们泡了一壶自家种的普洱茶。',
      '如果时间充裕，建议在这里多住两天，慢慢感受当地的生活。',
      '交通很方便，从市区坐大巴大约需要两个小时。',
    ],
  },
  ja: {
    code: 'jpn',
    lines: [
      '京都の古い町並みを歩くと、季節ごとに違う景色に出会えます。',
      '朝早く神社を訪れると、観光客が少なく静かな時間を過ごせます。',
      '昼食には地元の豆腐料理の店に入り、湯豆腐を注文しました。',
      '午後は川沿いの道を散歩しながら、小さな和菓子屋に立ち寄りました。',
      '夕方になると提灯に明かりがともり、街の雰囲気ががらりと変わります。',
      '宿は駅から歩いて十分ほどの場所にあり、とても便利でした。',
      '次回は紅葉の季節にもう一度訪れたいと思います。',
      'バスの一日乗車券を使うと、効率よく名所を回ることができます。',
    ],
  },
};

interface Site {
  host: string;
  lang: string;
  header: string[];
  footer: string[];
}

const SITES: Site[] = [
  {
    host: 'www.riverside-gazette.com',
    lang: 'en',
    header: ['Riverside Gazette', 'Home', 'Local News', 'Sports', 'Weather', 'Subscribe'],
    footer: ['© 2023 Riverside Gazette. All rights reserved.', 'Privacy Policy | Terms of Use', 'This site uses cookies to improve your experience.'],
  },
  {
    host: 'www.kitchen-notes.net',
    lang: 'en',
    header: ['Kitchen Notes', 'Recipes', 'Baking', 'Weeknight Dinners', 'Search'],
    footer: ['Sign up for our newsletter', 'Kitchen Notes participates in affiliate programs.', 'Copyright 2023 Kitchen Notes'],
  },
  {
    host: 'forum.trailrunners.org',
    lang: 'en',
    header: ['Trail Runners Forum', 'Forums', 'New posts', 'Members', 'Log in', 'Register'],
    footer: ['Forum software by Example Boards', 'Contact us | Help | Rules', 'Share this page'],
  },
  { host: 'www.wanderblog.de', lang: 'de', header: ['Wanderblog', 'Startseite', 'Touren', 'Ausrüstung', 'Über mich'], footer: ['Impressum | Datenschutz', '© 2023 Wanderblog'] },
  {
    host: 'www.cuisine-maison.fr',
    lang: 'fr',
    header: ['Cuisine Maison', 'Accueil', 'Recettes', 'Desserts', 'Contact'],
    footer: ['Mentions légales', 'Tous droits réservés © 2023'],
  },
  {
    host: 'www.noticias-del-valle.es',
    lang: 'es',
    header: ['Noticias del Valle', 'Portada', 'Local', 'Deportes', 'Opinión'],
    footer: ['Aviso legal | Política de privacidad', '© 2023 Noticias del Valle'],
  },
  {
    host: 'www.gorodskie-novosti.ru',
    lang: 'ru',
    header: ['Городские новости', 'Главная', 'Новости', 'Афиша', 'Контакты'],
    footer: ['© 2023 Городские новости', 'Все права защищены'],
  },
  { host: 'www.lvxing-riji.cn', lang: 'zh', header: ['旅行日记', '首页', '游记', '攻略', '关于我们'], footer: ['版权所有 © 2023 旅行日记', '京ICP备00000000号'] },
  { host: 'www.ryokou-nikki.jp', lang: 'ja', header: ['旅行日記', 'ホーム', '旅行記', 'お問い合わせ'], footer: ['Copyright © 2023 旅行日記 All Rights Reserved.'] },
];

/** RFC 4648 base32, as WARC digests are written. */
function base32(buf: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of buf) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

function uuid(r: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(r() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

interface Page {
  url: string;
  body: string;
  langs: string;
}

function bodyLines(r: () => number, lang: string, n: number): string[] {
  if (lang === 'en') return Array.from({ length: n }, () => paragraph(r, 1 + Math.floor(r() * 3)));
  const bank = BANKS[lang]!.lines;
  // Two or three distinct sentences per line, so lines rarely repeat by chance across pages.
  const sep = lang === 'zh' || lang === 'ja' ? '' : ' ';
  return Array.from({ length: n }, () => {
    const picked = new Set<string>();
    const want = 2 + Math.floor(r() * 2);
    while (picked.size < want) picked.add(pick(r, bank));
    return [...picked].join(sep);
  });
}

function sitePage(r: () => number, site: Site, title: string, lines: string[]): Page {
  return {
    url: `https://${site.host}/${
      title
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '') || Math.floor(r() * 1e6).toString(36)
    }`,
    body: `${[title, ...site.header, ...lines, ...site.footer].join('\n')}\n`,
    langs: site.lang === 'en' ? 'eng' : BANKS[site.lang]!.code,
  };
}

/** The planted low-quality pages. */
function plantedPages(r: () => number): Page[] {
  const news = SITES[0]!;
  return [
    { url: 'https://www.riverside-gazette.com/missing', body: 'Page not found\nThe page you requested could not be found.\n', langs: 'eng' },
    {
      url: 'http://cheap-deals-online.example/best-prices',
      body: `${[
        'Best Cheap Deals Online',
        'cheap shoes cheap bags cheap watches best price',
        'buy now discount sale free shipping',
        'shoes bags watches sunglasses wallets belts',
        'best deals best prices best quality',
        'click here click here click here',
        'cheap cheap cheap sale sale sale',
      ].join('\n')}\n`,
      langs: 'eng',
    },
    sitePage(r, news, 'Template preview', [
      'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.',
      'Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi.',
      sentence(r),
      sentence(r),
    ]),
    {
      url: 'https://dev-notes.example.io/posts/config-loader',
      body: `${[
        'Loading configuration files in Node',
        'This short note explains how our build loads its configuration files.',
        'Call the loader like this: loadConfig({ path: "app.json", strict: true }).',
        'The loader returns an object with every setting filled in with a default.',
        'Errors name the file and the key that was wrong, which saves a lot of time.',
        'We use the same loader in the command line tool and in the server.',
      ].join('\n')}\n`,
      langs: 'eng',
    },
    sitePage(r, SITES[2]!, 'Comments on the spring race', [
      'Please enable JavaScript in your browser to see the comments on this page.',
      paragraph(r, 2),
      paragraph(r, 2),
      paragraph(r, 3),
      'Posted by trailfan on 3 February 2023.',
    ]),
  ];
}

function wetRecord(r: () => number, page: Page, date: string): Buffer {
  const body = Buffer.from(page.body, 'utf8');
  const headers = [
    'WARC/1.0',
    'WARC-Type: conversion',
    `WARC-Target-URI: ${page.url}`,
    `WARC-Date: ${date}`,
    `WARC-Record-ID: <urn:uuid:${uuid(r)}>`,
    `WARC-Refers-To: <urn:uuid:${uuid(r)}>`,
    `WARC-Block-Digest: sha1:${base32(createHash('sha1').update(body).digest())}`,
    `WARC-Identified-Content-Language: ${page.langs}`,
    'Content-Type: text/plain',
    `Content-Length: ${body.length}`,
  ];
  return Buffer.concat([Buffer.from(`${headers.join('\r\n')}\r\n\r\n`), body, Buffer.from('\r\n\r\n')]);
}

function warcinfo(segment: string, date: string, r: () => number): Buffer {
  const fields = Buffer.from(
    `${[
      'Software-Info: ia-web-commons.1.1.10-SNAPSHOT-20230123102048',
      `Extracted-Date: ${new Date(date).toUTCString()}`,
      'robots: checked via crawler-commons 1.4-SNAPSHOT (https://github.com/crawler-commons/crawler-commons)',
      `isPartOf: CC-MAIN-${DUMP}`,
      'operator: Common Crawl Admin (info@commoncrawl.org)',
      'description: Wide crawl of the web for January/February 2023',
      'publisher: Common Crawl',
    ].join('\r\n')}\r\n`,
  );
  const headers = [
    'WARC/1.0',
    'WARC-Type: warcinfo',
    `WARC-Date: ${date}`,
    `WARC-Filename: ${segment}`,
    `WARC-Record-ID: <urn:uuid:${uuid(r)}>`,
    'Content-Type: application/warc-fields',
    `Content-Length: ${fields.length}`,
  ];
  return Buffer.concat([Buffer.from(`${headers.join('\r\n')}\r\n\r\n`), fields, Buffer.from('\r\n\r\n')]);
}

/** Writes the listing and segments under `<root>/commoncrawl/`; the options scale it up for benchmarks. */
export async function makeCommonCrawlSample(root: URL, opts: { seed?: number; segments?: number; perSegment?: number } = {}): Promise<string[]> {
  const r = rng(opts.seed ?? 6);
  const base = new URL('commoncrawl/', root);
  const segDir = new URL(SEGMENT_DIR, base);
  mkdirSync(segDir, { recursive: true });
  const segments = opts.segments ?? 3;
  const perSegment = opts.perSegment ?? 26;
  // Pages of every site, then the planted ones, spread over the segments in a seeded order.
  const pages: Page[] = [];
  for (let i = 0; i < segments * perSegment - 8; i++) {
    const site = SITES[i % SITES.length]!;
    const lines = bodyLines(r, site.lang, 3 + Math.floor(r() * 5));
    const title = site.lang === 'en' ? sentence(r).replace(/\.$/, '') : `${site.header[0]} ${i}`;
    pages.push(sitePage(r, site, title, lines));
  }
  // Mirrors: the same body under another URL (same WARC-Block-Digest), in the same and in a later segment.
  pages.push({ ...pages[3]!, url: pages[3]!.url.replace('https://www.', 'http://mirror.') });
  pages.push({ ...pages[10]!, url: `${pages[10]!.url}?utm_source=feed` });
  pages.push(...plantedPages(r));
  pages.push({ ...pages[0]!, url: pages[0]!.url.replace('https://', 'http://') });
  const order = pages.map((p, i) => ({ p, k: i < 40 ? i : r() * pages.length }));
  order.sort((a, b) => a.k - b.k);
  const paths: string[] = [];
  for (let s = 0; s < segments; s++) {
    const name = segmentName(s);
    const t0 = Date.UTC(2023, 0, 26, 21, 8, 44) + s * 3600_000;
    const members = [gzipSync(warcinfo(name, new Date(t0).toISOString().replace('.000', ''), r))];
    for (let k = s * perSegment; k < Math.min(order.length, (s + 1) * perSegment); k++) {
      const date = new Date(t0 + Math.floor(r() * 3600_000)).toISOString().replace(/\.\d+Z$/, 'Z');
      members.push(gzipSync(wetRecord(r, order[k]!.p, date), { level: opts.segments ? 1 : 9 }));
    }
    writeFileSync(new URL(name, segDir), Buffer.concat(members));
    paths.push(SEGMENT_DIR + name);
  }
  writeFileSync(new URL(`crawl-data/CC-MAIN-${DUMP}/wet.paths.gz`, base), gzipSync(`${paths.join('\n')}\n`, { level: 9 }));
  return paths.map((p) => new URL(p, base).pathname);
}

/** A C4 validation file: clean pages as C4 ships them plus pages the C4 rules must clean or drop. */
export async function makeC4ValidationSample(root: URL): Promise<void> {
  const r = rng(7);
  const dir = new URL('c4/', root);
  mkdirSync(dir, { recursive: true });
  const records: { text: string; timestamp: string; url: string }[] = [];
  const ts = (i: number) => new Date(Date.UTC(2019, 3, 20, 8, i, 0)).toISOString().replace('.000', '');
  for (let i = 0; i < 12; i++)
    records.push({ text: Array.from({ length: 3 + (i % 3) }, () => paragraph(r, 2)).join('\n'), timestamp: ts(i), url: `https://www.example-review.com/articles/${i}` });
  records.push({
    text: [
      'Skip to content',
      paragraph(r, 2),
      paragraph(r, 2),
      'Please enable JavaScript to watch this video.',
      paragraph(r, 1),
      'Read our privacy policy before you subscribe.',
    ].join('\n'),
    timestamp: ts(20),
    url: 'https://www.example-review.com/video',
  });
  records.push({
    text: ['Lorem ipsum dolor sit amet, consectetur adipiscing elit sed do.', paragraph(r, 2), paragraph(r, 2)].join('\n'),
    timestamp: ts(21),
    url: 'https://theme-demo.example.com/',
  });
  records.push({
    text: [paragraph(r, 2), 'Use the snippet like this: init({ debug: true }) in your page.', paragraph(r, 2)].join('\n'),
    timestamp: ts(22),
    url: 'https://snippets.example.dev/init',
  });
  records.push({ text: ['Short note.', 'Another one.'].join('\n'), timestamp: ts(23), url: 'https://www.example-review.com/stub' });
  const lines = `${records.map((x) => JSON.stringify(x)).join('\n')}\n`;
  writeFileSync(new URL('c4-validation.00000-of-00001.json.gz', dir), gzipSync(lines, { level: 9 }));
}

/** windows-1251 bytes of Russian text (А–я are 0xC0–0xFF, Ё/ё 0xA8/0xB8), for a non-UTF-8 page. */
function cp1251(text: string): Buffer {
  return Buffer.from(
    [...text].map((ch) => {
      const c = ch.codePointAt(0)!;
      if (c < 0x80) return c;
      if (c >= 0x410 && c <= 0x44f) return c - 0x410 + 0xc0;
      if (c === 0x401) return 0xa8;
      if (c === 0x451) return 0xb8;
      return 0x3f;
    }),
  );
}

/**
 * A WARC file as a crawler writes it (warcinfo, then request/response pairs, one gzip member per
 * record): HTML pages in UTF-8 and windows-1251 (declared only in a meta tag), a 404 page, an
 * image, so the `commoncrawl_warc` source has every case to handle.
 */
export async function makeWarcSample(root: URL): Promise<void> {
  const r = rng(8);
  const dir = new URL('commoncrawl/warc/', root);
  mkdirSync(dir, { recursive: true });
  const page = (title: string, paras: string[]) =>
    `<!DOCTYPE html><html><head><title>${title}</title><style>body{font:16px serif}</style><script>window.dataLayer=[];</script></head>` +
    `<body><header><a href="/">Home</a></header><nav><a href="/news">News</a> <a href="/about">About</a></nav><main><h1>${title}</h1>` +
    paras.map((p) => `<p>${p}</p>`).join('') +
    `</main><footer>© 2020 Example</footer></body></html>`;
  const ru = BANKS.ru!.lines;
  const responses: { url: string; status: string; type: string; body: Buffer }[] = [
    {
      url: 'https://www.riverside-gazette.com/2020/08/harbour',
      status: '200 OK',
      type: 'text/html; charset=utf-8',
      body: Buffer.from(page('The harbour reopens', [paragraph(r, 3), paragraph(r, 3), paragraph(r, 2)])),
    },
    {
      url: 'http://www.gorodskie-novosti.ru/festival',
      status: '200 OK',
      type: 'text/html',
      body: Buffer.concat([
        Buffer.from('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"><title>'),
        cp1251('Осенний фестиваль'),
        Buffer.from('</title></head><body><main><p>'),
        cp1251(ru.slice(0, 4).join(' ')),
        Buffer.from('</p><p>'),
        cp1251(ru.slice(4).join(' ')),
        Buffer.from('</p></main></body></html>'),
      ]),
    },
    { url: 'https://www.kitchen-notes.net/missing', status: '404 Not Found', type: 'text/html', body: Buffer.from('<html><body><p>Not found</p></body></html>') },
    { url: 'https://www.kitchen-notes.net/logo.png', status: '200 OK', type: 'image/png', body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
    {
      url: 'https://forum.trailrunners.org/threads/spring-race',
      status: '200 OK',
      type: 'text/html; charset=UTF-8',
      body: Buffer.from(page('Spring race report', [paragraph(r, 4), paragraph(r, 2)])),
    },
  ];
  const date = '2020-08-08T17:27:41Z';
  const record = (type: string, url: string | null, contentType: string, block: Buffer) => {
    const headers = ['WARC/1.0', `WARC-Type: ${type}`, `WARC-Date: ${date}`, `WARC-Record-ID: <urn:uuid:${uuid(r)}>`];
    if (url) headers.push(`WARC-Target-URI: ${url}`);
    if (type === 'response')
      headers.push(
        `WARC-Payload-Digest: sha1:${base32(
          createHash('sha1')
            .update(block.subarray(block.indexOf('\r\n\r\n') + 4))
            .digest(),
        )}`,
      );
    headers.push(`WARC-Block-Digest: sha1:${base32(createHash('sha1').update(block).digest())}`, `Content-Type: ${contentType}`, `Content-Length: ${block.length}`);
    return gzipSync(Buffer.concat([Buffer.from(`${headers.join('\r\n')}\r\n\r\n`), block, Buffer.from('\r\n\r\n')]), { level: 9 });
  };
  const members = [record('warcinfo', null, 'application/warc-fields', Buffer.from('software: corpusmill sample generator\r\nformat: WARC File Format 1.0\r\n'))];
  for (const x of responses) {
    const host = new URL(x.url).host;
    members.push(
      record('request', x.url, 'application/http; msgtype=request', Buffer.from(`GET ${new URL(x.url).pathname} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: sample\r\n\r\n`)),
    );
    const head = Buffer.from(`HTTP/1.1 ${x.status}\r\nContent-Type: ${x.type}\r\nContent-Length: ${x.body.length}\r\n\r\n`);
    members.push(record('response', x.url, 'application/http; msgtype=response', Buffer.concat([head, x.body])));
  }
  writeFileSync(new URL('CC-MAIN-20200808164620-20200808194620-00000.warc.gz', dir), Buffer.concat(members));
}
