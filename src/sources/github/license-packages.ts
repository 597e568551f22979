/**
 * Licences declared in package-manager manifests, as licensee's package matchers read them
 * (`Licensee::Matchers::Package` and its subclasses, `ProjectFiles::PackageManagerFile`):
 *
 * - One manifest per repository: the root file with the best name score (package.json,
 *   Cargo.toml, pyproject.toml, *.gemspec 1.0; DESCRIPTION 0.9; bower.json 0.75; elm-package.json
 *   0.7), whether or not it declares a licence. Ties go to the first path in byte order.
 * - Its licence property is read with licensee's lenient regexes, not a parser: npm/bower
 *   `"license": "MIT"` (`UNLICENSED` → no-license), Cargo `license = "MIT OR Apache-2.0"`,
 *   pyproject `license = "MIT"`, gemspec `s.license = 'MIT'` / `s.licenses = ['MIT']` (several →
 *   other), R DESCRIPTION `License: MIT + file LICENSE` (`GPL (>= 2)` → gpl-2.0).
 * - The value (lower-cased) is a licence key; else, without an `-or-later`/`-only` suffix; else
 *   the first key among the identifiers of an SPDX expression (`(MIT OR Apache-2.0)` → mit);
 *   else `other`. Confidence 90, licensee's for every package matcher.
 *
 * Not in licensee, added here the same way (regex, confidence 90), at name scores below theirs:
 * composer.json 0.85 (`"license": "MIT"` or a one-element array), setup.cfg 0.65 (`license = MIT`),
 * setup.py 0.6 (`license="MIT"`), and pyproject's `license = { text = "MIT" }` table form.
 */
import { licenseCatalog } from './license-catalog.js';

/** licensee `PackageManagerFile::FILENAMES_SCORES`, plus our three (see above). */
const NAME_SCORES: Record<string, number> = {
  'package.json': 1.0,
  'Cargo.toml': 1.0,
  'pyproject.toml': 1.0,
  DESCRIPTION: 0.9,
  'composer.json': 0.85,
  'bower.json': 0.75,
  'elm-package.json': 0.7,
  'setup.cfg': 0.65,
  'setup.py': 0.6,
};

/** Score of a root file name as a package manifest (0 = not one). */
export function packageFileScore(name: string): number {
  if (/\.gemspec$/.test(name)) return 1.0;
  return NAME_SCORES[name] ?? 0;
}

/** Is `path` (relative to the repository root) a manifest the package matchers read? */
export function isPackageManagerPath(path: string): boolean {
  return !path.includes('/') && packageFileScore(path) > 0;
}

/** licensee NpmBower::LICENSE_REGEX. */
const NPM = /\s*["']license["']\s*:\s*['"]([a-z\-0-9.+ ()]+)['"],?\s*/i;
/** composer.json's array form (ours). */
const COMPOSER_ARRAY = /["']license["']\s*:\s*\[([^\]]*)\]/i;
/** licensee Cargo::LICENSE_REGEX. */
const CARGO = /^\s*['"]?license['"]?\s*=\s*['"]([a-z\-0-9. +()/]+)['"]\s*/im;
/** licensee PyProject::LICENSE_REGEX. */
const PYPROJECT = /^\s*['"]?license['"]?\s*=\s*['"]([^'"]+)['"]\s*/im;
/** pyproject `license = { text = "MIT" }` (ours). */
const PYPROJECT_TABLE = /^\s*['"]?license['"]?\s*=\s*\{[^}\n]*\btext\s*=\s*['"]([^'"]+)['"][^}\n]*\}/im;
/** licensee Gemspec: a value is a quoted string, optionally `.freeze`. */
const GEM_VALUE = String.raw`\s*['"]([a-z\-0-9.]+)['"](?:\.freeze)?\s*`;
const GEMSPEC = new RegExp(String.raw`^\s*[a-z0-9_]+\.license\s*=${GEM_VALUE}$`, 'im');
const GEMSPEC_ARRAY = new RegExp(String.raw`^\s*[a-z0-9_]+\.licenses\s*=\s*\[((?:${GEM_VALUE})(?:,${GEM_VALUE})*)\]\s*$`, 'im');
/** licensee Cran. */
const CRAN_FIELD = /^license:\s*(.+)/im;
const CRAN_PLUS_FILE = /\s*\+\s*file\s+LICENSE$/i;
const CRAN_GPL = /^GPL(?:-([23])|\s*\(\s*>=\s*([23])\s*\))$/i;
/** setup.cfg `license = MIT` (ours; `license_file(s)` are other keys). */
const SETUP_CFG = /^\s*license\s*[=:]\s*(\S[^\n]*?)\s*$/im;
/** setup.py `license="MIT"` (ours). */
const SETUP_PY = /\blicense\s*=\s*['"]([^'"\n]+)['"]/;

const SPDX_SUFFIX = /-or-later$|-only$/i;
const SPDX_TOKEN = /[A-Za-z0-9][A-Za-z0-9.-]*/g;
const SPDX_OPERATORS = new Set(['or', 'and', 'with']);

/** The licence property a manifest declares (lower-cased, as licensee keeps it), or null. */
export function packageLicenseProperty(name: string, text: string): string | null {
  if (/\.gemspec$/.test(name)) {
    const one = GEMSPEC.exec(text);
    if (one) return one[1]!.toLowerCase();
    const many = GEMSPEC_ARRAY.exec(text);
    if (!many) return null;
    const values = [...many[1]!.matchAll(/['"]([a-z\-0-9.]+)['"]/gi)].map((m) => m[1]!.toLowerCase());
    return values.length === 1 ? values[0]! : 'other';
  }
  switch (name) {
    case 'package.json':
    case 'bower.json':
    case 'elm-package.json':
    case 'composer.json': {
      const m = NPM.exec(text);
      if (m) return m[1] === 'UNLICENSED' ? 'no-license' : m[1]!.toLowerCase();
      if (name !== 'composer.json') return null;
      const arr = COMPOSER_ARRAY.exec(text);
      if (!arr) return null;
      const values = [...arr[1]!.matchAll(/['"]([^'"]+)['"]/g)].map((x) => x[1]!.toLowerCase());
      return values.length === 1 ? values[0]! : values.length > 1 ? 'other' : null;
    }
    case 'Cargo.toml':
      return CARGO.exec(text)?.[1]?.toLowerCase() ?? null;
    case 'pyproject.toml':
      return (PYPROJECT.exec(text) ?? PYPROJECT_TABLE.exec(text))?.[1]?.toLowerCase() ?? null;
    case 'DESCRIPTION': {
      const field = CRAN_FIELD.exec(text)?.[1]?.toLowerCase();
      if (!field) return null;
      const key = field.replace(CRAN_PLUS_FILE, '');
      const gpl = CRAN_GPL.exec(key);
      return gpl ? `gpl-${gpl[1] ?? gpl[2]}.0` : key;
    }
    case 'setup.cfg':
      return SETUP_CFG.exec(text)?.[1]?.toLowerCase() ?? null;
    case 'setup.py':
      return SETUP_PY.exec(text)?.[1]?.toLowerCase() ?? null;
    default:
      return null;
  }
}

/** licensee `Package#find_license_match`: a licence key for a declared property. */
export function licenseKeyForProperty(prop: string): string {
  const keys = licenseCatalog().byKey;
  if (prop === 'no-license' || prop === 'other' || keys.has(prop)) return prop;
  const base = prop.replace(SPDX_SUFFIX, '');
  if (base !== prop && keys.has(base)) return base;
  for (const token of prop.match(SPDX_TOKEN) ?? []) {
    if (SPDX_OPERATORS.has(token.toLowerCase())) continue;
    const t = token.toLowerCase();
    if (keys.has(t)) return t;
    const stripped = t.replace(SPDX_SUFFIX, '');
    if (keys.has(stripped)) return stripped;
  }
  return 'other';
}

/** licensee's confidence for every package matcher. */
export const PACKAGE_CONFIDENCE = 90;

/** The manifest licensee would read among root files: the best name score, then the first path. */
export function pickPackageFile<T extends { path: string }>(files: T[]): T | undefined {
  let best: T | undefined;
  let bestScore = 0;
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const s = isPackageManagerPath(f.path) ? packageFileScore(f.path) : 0;
    if (s > bestScore) {
      best = f;
      bestScore = s;
    }
  }
  return best;
}
