/**
 * Which licence a repository is under, decided from its LICENSE / COPYING / LICENCE files (and a
 * README "License" section when there is no licence file), the way licensee decides it:
 *
 * 1. Licence files: root files scored by name (licensee `LicenseFile::FILENAME_REGEXES`: LICENSE,
 *    LICENSE.md, COPYING, LICENSE-MIT, MIT-LICENSE, COPYRIGHT, PATENTS, ...) and REUSE-style
 *    `LICENSES/*.txt`.
 * 2. Each file is matched in turn by: Copyright (the file is only copyright lines: `no-license`),
 *    Exact (same word set as a template), Dice (Sørensen–Dice coefficient of the word sets, with
 *    licensee's field and length-difference adjustments, at least CONFIDENCE), else `other`.
 *    A README section is also matched by Reference (it names a licence by title).
 * 3. The licence a package manifest declares (license-packages.ts: package.json, Cargo.toml,
 *    pyproject.toml, *.gemspec, DESCRIPTION, ...; matcher `package`, confidence 90) counts like
 *    a licence file, as with licensee's `--packages` (on by default; `packages: false` turns it off).
 * 4. The project: one distinct licence (COPYRIGHT-only files aside) is the answer; COPYING.lesser
 *    beside a GPL file is LGPL; several distinct licences are `other` (licensee's rule; see
 *    `multiLicense` for the opt-in "all of them allowed" policy); none is null (no licence).
 */
import { licenseCatalog, type LicenseTemplate } from './license-catalog.js';
import { licenseKeyForProperty, PACKAGE_CONFIDENCE, packageLicenseProperty, pickPackageFile } from './license-packages.js';
import { COPYRIGHT_ONLY, foldAlternatives, normalizeLicenseText, normalizedHash, rubyStrip, wordSet } from './license-text.js';

/** licensee's default confidence threshold for the Dice matcher (percent). */
const CONFIDENCE = 98;

/** Licences allowed by default: LLaMA kept "Apache, BSD and MIT" code; RedPajama's query took mit%, bsd%, apache%. */
export const DEFAULT_ALLOWED = ['MIT', 'BSD-2-Clause', 'BSD-3-Clause', 'Apache-2.0'];

type Matcher = 'copyright' | 'exact' | 'dice' | 'reference' | 'package' | 'none';

export interface FileLicense {
  path: string;
  /** Template key (`mit`, `apache-2.0`), `no-license` (copyright only) or `other` (unrecognised). */
  key: string;
  spdx: string | null;
  matcher: Matcher;
  /** Similarity in percent (100 for exact and copyright). */
  confidence: number;
  /** SHA-1 of the normalised text, as licensee reports it ('' for a package manifest). */
  hash: string;
}

export interface ProjectLicense {
  /** `mit`, ..., `other` (several or unknown), `no-license`, or null (nothing found). */
  key: string | null;
  spdx: string | null;
  /** The distinct licences found (keys), for the `all_allowed` multi-licence policy. */
  keys: string[];
  files: FileLicense[];
}

const PREFERRED_EXT = '\\.(?:md|markdown|txt|html)$';
const LICENSE_EXT = '\\.(?!spdx|header)(?:[^./]|\\.\\d)+$';
const OTHER_EXT = '\\.(?!xml|go|gemspec)(?:[^./]|\\.\\d)+';
const ANY_EXT = '\\.(?:[^./]|\\.\\d)+$';
const LIC = '(?:un)?licen[sc]e';
const COPYING = 'copying';
const COPYRIGHT = 'copyright';

/** licensee LicenseFile::FILENAME_REGEXES: how likely a root file name is to hold the licence. */
const FILENAME_SCORES: Array<[RegExp, number]> = (
  [
    [`^${LIC}$`, 1.0],
    [`^${LIC}${PREFERRED_EXT}`, 0.95],
    [`^${COPYING}$`, 0.9],
    [`^${COPYING}${PREFERRED_EXT}`, 0.85],
    [`^${LIC}${LICENSE_EXT}`, 0.8],
    [`^${COPYING}${ANY_EXT}`, 0.75],
    [`^${LIC}[-_][^.]*(?:${OTHER_EXT})?$`, 0.7],
    [`^${COPYING}[-_][^.]*(?:${OTHER_EXT})?$`, 0.65],
    [`^\\w+[-_]${LIC}[^.]*(?:${OTHER_EXT})?$`, 0.6],
    [`^\\w+[-_]${COPYING}[^.]*(?:${OTHER_EXT})?$`, 0.55],
    [`^ofl${PREFERRED_EXT}`, 0.5],
    [`^ofl${OTHER_EXT}`, 0.45],
    [`^ofl$`, 0.4],
    [`^${COPYRIGHT}$`, 0.35],
    [`^${COPYRIGHT}${PREFERRED_EXT}`, 0.3],
    [`^${COPYRIGHT}${OTHER_EXT}$`, 0.25],
    [`^${COPYRIGHT}[-_][^.]*(?:${OTHER_EXT})?$`, 0.2],
    ['^patents$', 0.15],
    [`^patents${OTHER_EXT}$`, 0.1],
  ] as Array<[string, number]>
).map(([s, n]) => [new RegExp(s, 'i'), n]);

/** Score of a root file name as a licence file (0 = not one). */
export function licenseFileScore(name: string): number {
  for (const [re, score] of FILENAME_SCORES) if (re.test(name)) return score;
  return 0;
}

/** Is `path` (relative to the repository root) a licence file licensee would read? */
export function isLicenseFilePath(path: string): boolean {
  const parts = path.split('/');
  if (parts.length === 1) return licenseFileScore(parts[0]!) > 0;
  return parts.length === 2 && parts[0] === 'LICENSES' && /\.txt$/i.test(parts[1]!);
}

/** README names licensee looks at (ReadmeFile::SCORES). */
export function isReadmePath(path: string): boolean {
  return /^README(?:\.(?:md|markdown|mdown|txt|rdoc|rst))?$/i.test(path);
}

/** licensee ReadmeFile::CONTENT_REGEX: the body of a "License" section of a README. */
export function readmeLicenseSection(readme: string): string | null {
  const re = /^(?:[#=]+\s(?:licen[sc]e:?)\s*[#=]*|licen[sc]e:?\n[-=]+)$([\s\S]*?)(?=^(?:[#=]+|[^\n]+\n[-=]+)|(?![\s\S]))/im;
  const m = re.exec(readme);
  return m ? rubyStrip(m[1]!) : null;
}

/** CC NonCommercial / NoDerivatives texts are 98% like CC-BY / CC-BY-SA; licensee refuses those matches. */
const CC_FALSE_POSITIVE = /^(creative commons )?Attribution-(NonCommercial|NoDerivatives)/im;

/** licensee `similarity`: Dice on word sets, fields ignored, minus a penalty for a length difference. */
function similarity(t: LicenseTemplate, words: Set<string>, length: number): number {
  let overlap = 0;
  for (const w of t.fieldless) if (words.has(w)) overlap++;
  const total = t.fieldless.size + words.size - t.fields.size;
  const delta = Math.max(0, Math.abs(t.foldedLength - length) - t.fieldCount * 5);
  return (overlap * 200) / (total + Math.floor(delta / 4));
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** Identifies the licence text of one file. `readme` adds the Reference matcher. */
export function matchLicenseFile(path: string, content: string, opts: { readme?: boolean } = {}): FileLicense {
  const cat = licenseCatalog();
  // CRLF files match their LF twins (licensee fixture crlf-bsd is an exact match).
  const text = content.replace(/\r\n?/g, '\n');
  const normalized = normalizeLicenseText(text, { title: cat.stripTitle, html: /\.html?$/i.test(path) });
  const hash = normalizedHash(normalized);
  const base = { path, hash };
  const stripped = rubyStrip(text);
  if (stripped.length > 0 && COPYRIGHT_ONLY.test(stripped)) return { ...base, key: 'no-license', spdx: null, matcher: 'copyright', confidence: 100 };
  const words = wordSet(normalized);
  const exact = cat.templates.find((t) => sameSet(t.words, words));
  if (exact) return { ...base, key: exact.key, spdx: exact.spdx, matcher: 'exact', confidence: 100 };
  const folded = foldAlternatives(normalized);
  const foldedWords = wordSet(folded);
  const ccFalsePositive = CC_FALSE_POSITIVE.test(stripped);
  let best: LicenseTemplate | null = null;
  let bestScore = -1;
  for (const t of cat.templates) {
    if (ccFalsePositive && t.key.startsWith('cc-')) continue;
    const s = similarity(t, foldedWords, folded.length);
    if (s > bestScore) {
      best = t;
      bestScore = s;
    }
  }
  if (best && bestScore >= CONFIDENCE) return { ...base, key: best.key, spdx: best.spdx, matcher: 'dice', confidence: bestScore };
  if (opts.readme) {
    const ref = cat.templates.find((t) => new RegExp(`\\b(?:${t.titleRegex.source})\\b`, 'i').test(text));
    if (ref) return { ...base, key: ref.key, spdx: ref.spdx, matcher: 'reference', confidence: 90 };
  }
  return { ...base, key: 'other', spdx: null, matcher: 'none', confidence: Math.max(0, bestScore) };
}

export interface RepoFile {
  /** Path relative to the repository root. */
  path: string;
  text: string;
}

/** The licence the repository's package manifest declares, or null when it declares none. */
function matchPackageFile(path: string, content: string): FileLicense | null {
  const prop = packageLicenseProperty(path, content);
  if (prop === null || prop === '') return null;
  const key = licenseKeyForProperty(prop);
  return { path, key, spdx: licenseCatalog().byKey.get(key)?.spdx ?? null, matcher: 'package', confidence: PACKAGE_CONFIDENCE, hash: '' };
}

/**
 * The repository's licence from its licence files (`isLicenseFilePath`), its package manifest
 * (`isPackageManagerPath`, unless `packages: false`) and, when there are no licence files, its
 * README's License section (pass README files too; they are used only then).
 */
export function detectProjectLicense(files: RepoFile[], opts: { packages?: boolean } = {}): ProjectLicense {
  const cat = licenseCatalog();
  const scored = files
    .filter((f) => isLicenseFilePath(f.path))
    .map((f) => ({ f, score: f.path.includes('/') ? 0.5 : licenseFileScore(f.path) }))
    .sort((a, b) => b.score - a.score || (a.f.path < b.f.path ? -1 : a.f.path > b.f.path ? 1 : 0));
  let matched = scored.map(({ f }) => matchLicenseFile(f.path, f.text));
  if (matched.length === 0) {
    const readme = files.filter((f) => isReadmePath(f.path)).sort((a, b) => a.path.length - b.path.length || (a.path < b.path ? -1 : 1))[0];
    const section = readme ? readmeLicenseSection(readme.text) : null;
    if (readme && section) matched = [matchLicenseFile(readme.path, section, { readme: true })];
  }
  const manifest = opts.packages === false ? undefined : pickPackageFile(files);
  const declared = manifest ? matchPackageFile(manifest.path, manifest.text) : null;
  if (declared) matched.push(declared);
  // A COPYRIGHT file that is only a copyright notice says nothing about the licence.
  const counted = matched.filter((m) => !(m.matcher === 'copyright' && /^copyright/i.test(m.path)));
  let keys = [...new Set(counted.map((m) => m.key))];
  // COPYING.lesser beside the GPL text: the project is LGPL (licensee `lgpl?`).
  const lesser = counted.find((m) => /^copying\.lesser$/i.test(m.path) && m.key.startsWith('lgpl-'));
  if (lesser && keys.length === 2 && keys.some((k) => k.startsWith('gpl-'))) keys = [lesser.key];
  const key = keys.length === 1 ? keys[0]! : keys.length > 1 ? 'other' : null;
  const spdx = key ? (cat.byKey.get(key)?.spdx ?? null) : null;
  return { key, spdx, keys, files: matched };
}

export type MultiLicensePolicy = 'other' | 'all_allowed';

/**
 * Is code under this licence kept? `allowed` holds SPDX ids (case-insensitive). With several
 * licences, `other` (default, as licensee) refuses; `all_allowed` keeps the repository when every
 * licence found is allowed (MIT + Apache-2.0 dual licensing, common in Rust).
 */
export function isAllowed(lic: ProjectLicense, allowed: string[], multi: MultiLicensePolicy = 'other'): boolean {
  const ok = new Set(allowed.map((a) => a.toLowerCase()));
  const cat = licenseCatalog();
  const spdxOf = (k: string) => cat.byKey.get(k)?.spdx?.toLowerCase();
  if (lic.key && lic.key !== 'other') return ok.has(spdxOf(lic.key) ?? '');
  if (lic.key === 'other' && multi === 'all_allowed' && lic.keys.length > 1) return lic.keys.every((k) => ok.has(spdxOf(k) ?? ''));
  return false;
}

/** SPDX id for a BigQuery `license` value (`mit`, `apache-2.0`, `bsd-3-clause`, ...), or null. */
export function spdxForKey(key: string): string | null {
  return licenseCatalog().byKey.get(key.toLowerCase())?.spdx ?? null;
}
