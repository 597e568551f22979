"""RedPajama v1's arXiv cleaning rules, re-expressed from the facts of rp_v1
data_prep/arxiv/arxiv_cleaner.py (loader, preamble cut, comment removal, tail cut, non-argument
macro expansion), for the parity test. Standard library only; run with /usr/bin/python3.

Usage: rp_arxiv_clean.py FILE.gz...  -> JSON object {file: cleaned text, or null when RedPajama
would report the paper as failed (non-UTF-8 file, re error, unreadable gzip)}.
"""
import gzip
import json
import re
import sys
import tarfile


def load_project(path):
    files = []
    try:
        with tarfile.open(path) as tf:
            for member in tf.getmembers():
                if member.name.endswith(".tex"):
                    raw = tf.extractfile(member).read()
                    try:
                        files.append(raw.decode("utf-8"))
                    except UnicodeDecodeError:
                        return None
    except tarfile.ReadError:
        try:
            with gzip.open(path, "rb") as gz:
                raw = gz.read()
        except Exception:
            return None
        try:
            files.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            return None
    return files


def header(name):
    return r"\\\b" + name + r"\b\*?(?:\[(.*?)\])?\{(.*?)\}"


PREAMBLE = (r"^(.*?)(" + header("chapter") + "|" + header("part") + "|" + header("section") + "|"
            + header("subsection") + "|" + header("subsubsection") + "|"
            + header("paragraph") + header("subparagraph") + ")")
TAIL = (r"(\\appendix|\\begin\{references\}|\\begin\{REFERENCES\}|\\begin\{thebibliography\}|"
        r"\\bibliography\{.*\}).*$")
NEWCOMMAND = re.compile(r"\\\bnewcommand\b\*?\{(\\[a-zA-Z0-9]+?)\}\{(.*?)\}$", re.MULTILINE)
DEF = re.compile(r"\\def\s*(\\[a-zA-Z0-9]+?)\s*\{(.*?)\}$", re.MULTILINE)


def macros_of(text):
    out = {}
    for reg in (NEWCOMMAND, DEF):
        for m in reg.finditer(text):
            out[m.group(1).encode("unicode-escape").decode("utf-8")] = \
                m.group(2).encode("unicode-escape").decode("utf-8")
    return out


def clean_file(text, macros):
    if not re.search(PREAMBLE, text, flags=re.DOTALL):
        return ""
    text = re.sub(PREAMBLE, r"\2", text, flags=re.DOTALL)
    text = re.sub(r"(?m)^%.*\n?", "", text, flags=re.MULTILINE)
    text = re.sub(r"[^\\]%.+$", "", text, flags=re.MULTILINE)
    text = re.sub(TAIL, "", text, flags=re.DOTALL)
    for name, value in macros.items():
        text = re.sub(r"(" + name + r")" + r"([^a-zA-Z0-9])", value + r"\2", text)
    return text


def clean_project(files):
    if not files:
        return ""
    macros = {}
    for f in files:
        macros.update(macros_of(f))
    return "\n".join(clean_file(f, macros) for f in files)


def main():
    result = {}
    for path in sys.argv[1:]:
        files = load_project(path)
        if files is None:
            result[path] = None
            continue
        try:
            result[path] = clean_project(files)
        except Exception:
            result[path] = None
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
