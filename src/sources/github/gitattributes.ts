/**
 * A repository's own word on which files are vendored or generated: the linguist attributes of
 * its root `.gitattributes` (`linguist-vendored`, `linguist-generated`), which GitHub itself obeys.
 * `path/** linguist-generated` marks files generated; `vendor/** -linguist-vendored` (or `=false`)
 * keeps files the default rules would skip. The last matching line decides, as in git.
 *
 * Patterns follow gitattributes rules exactly as `git check-attr` applies them (GitHub's linguist
 * reads attributes through git): a pattern without a slash matches the file name in any folder; one
 * with a slash matches the path from the root; `*` and `?` stay within a path component; a double
 * star crosses components only when it is a whole component (leading, between slashes, or
 * trailing), and elsewhere it is a single star; a pattern ending in a slash names a directory and
 * matches no file (gitattributes does not recurse into directories: write `dir` + slash + double
 * star). test/sources/github/gitattributes.test.ts checks every rule against git itself.
 *
 * Why our own glob-to-regex rather than picomatch: over 38 patterns x 64 paths checked against
 * `git check-attr`, picomatch (dot, no braces/extglobs/negation, basename only for slashless
 * patterns) differs from git on `dir/` and lets `dir/**` match a file named `dir`. Its matchers
 * were x3.3-x8.2 slower on 12,864 paths x 38 rules and compiled x1.3-x8.3 slower (same process);
 * with picomatch only building the regex (makeRe) the match was x0.7-x1.25, no gain for a
 * dependency that changes results.
 */

export interface LinguistOverrides {
  /** true / false when the repository says so, undefined when it is silent. */
  vendored(path: string): boolean | undefined;
  generated(path: string): boolean | undefined;
}

interface Rule {
  re: RegExp;
  vendored?: boolean;
  generated?: boolean;
}

/** Glob (gitattributes flavour) to a regex over repository-relative paths. */
export function globToRegex(pattern: string): RegExp {
  // A slash anywhere but at the end anchors the pattern at the root.
  const anchored = pattern.replace(/\/$/, '').includes('/');
  const p = pattern.startsWith('/') ? pattern.slice(1) : pattern;
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*') {
      const wholeComponent = p[i + 1] === '*' && (i === 0 || p[i - 1] === '/') && (i + 2 === p.length || p[i + 2] === '/');
      if (wholeComponent && p[i + 2] === '/') {
        re += '(?:.*/)?'; // `**/`: any folders, or none
        i += 2;
      } else if (wholeComponent) {
        re += '.*'; // a trailing `/**`: everything below
        i += 1;
      } else {
        re += '[^/]*'; // `*`, and `**` inside a component (git treats it as `*`)
        while (p[i + 1] === '*') i++;
      }
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = p.indexOf(']', i + 1);
      if (end === -1) re += '\\[';
      else {
        re +=
          '[' +
          p
            .slice(i + 1, end)
            .replace(/^!/, '^')
            .replace(/\\/g, '\\\\') +
          ']';
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(anchored ? `^${re}$` : `(?:^|/)${re}$`);
}

function attrValue(token: string, name: string): boolean | undefined {
  if (token === name || token === `${name}=true` || token === `${name}=set`) return true;
  if (token === `-${name}` || token === `!${name}` || token === `${name}=false`) return false;
  return undefined;
}

export function parseGitattributes(text: string): LinguistOverrides {
  const rules: Rule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [pattern, ...attrs] = line.split(/\s+/);
    // A trailing `/` names a directory: attributes never apply to a directory's files through it.
    if (!pattern || pattern.startsWith('[attr]') || pattern.endsWith('/')) continue;
    const rule: Rule = { re: globToRegex(pattern) };
    for (const a of attrs) {
      rule.vendored = attrValue(a, 'linguist-vendored') ?? rule.vendored;
      rule.generated = attrValue(a, 'linguist-generated') ?? rule.generated;
    }
    if (rule.vendored !== undefined || rule.generated !== undefined) rules.push(rule);
  }
  const last = (path: string, key: 'vendored' | 'generated'): boolean | undefined => {
    for (let i = rules.length - 1; i >= 0; i--) {
      const r = rules[i]!;
      if (r[key] !== undefined && r.re.test(path)) return r[key];
    }
    return undefined;
  };
  return { vendored: (p) => last(p, 'vendored'), generated: (p) => last(p, 'generated') };
}

/** No `.gitattributes`: the default rules decide everything. */
export const NO_OVERRIDES: LinguistOverrides = { vendored: () => undefined, generated: () => undefined };
