"""Expected values for the text layer (src/text), computed by Python itself (Debian's /usr/bin/python3,
standard library only), so the tests never take an expected value from the code under test.

Usage:
  python_reference.py strings   < JSON list of strings  -> JSON list, one object per string
  python_reference.py classes                           -> JSON object of code-point ranges
Output is ASCII JSON (lone surrogates travel as \\udXXX escapes, which JSON.parse keeps).

RedPajama-V2 `normalize` (utilities/text/normalization.py) and its text views (core/document.py) are
written here from their published definitions; cc_net's normalisers come from ccnet_normalize.py.
"""
import json
import os
import re
import string
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ccnet_normalize  # noqa: E402

PUNCT_TABLE = str.maketrans("", "", string.punctuation)
RAW_LINE = re.compile(r"([^\n]*\n|[^\n]+$)")
WORD_PUNCT = re.compile(r"\w+|[^\w\s]+")
WORD = re.compile(r"\w")


def rpv2_normalize(text):
    text = text.translate(PUNCT_TABLE).lower()
    text = re.sub(r"\s+", " ", text.strip())
    return unicodedata.normalize("NFD", text)


def utf16_len(s):
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def strings(texts):
    out = []
    for s in texts:
        lines = [m.span() for m in RAW_LINE.finditer(s)]
        raw_words = WORD_PUNCT.findall(s)
        out.append({
            "strip": s.strip(),
            "lstrip": s.lstrip(),
            "rstrip": s.rstrip(),
            "split": s.split(),
            "splitlines": s.splitlines(),
            "len": len(s),
            "utf16_len": utf16_len(s),
            "nl_piece_lens": [len(p) for p in s.split("\n")],
            "nfd_same": unicodedata.normalize("NFD", s) == s,
            "ccnet": ccnet_normalize.normalize(s),
            "ccnet_dedup": ccnet_normalize.normalize_for_dedup(s),
            "rpv2": rpv2_normalize(s),
            "rpv2_words": rpv2_normalize(s).split(),
            "rpv2_word_lens": [len(w) for w in rpv2_normalize(s).split()],
            "raw_lines": [list(span) for span in lines],
            "line_upper": [sum(1 for c in s[a:b] if c.isupper()) for a, b in lines],
            "line_words": [len(rpv2_normalize(s[a:b]).split()) for a, b in lines],
            "raw_word_count": len(raw_words),
            "raw_word_allcaps": sum(1 for w in raw_words if w.isupper()),
        })
    return out


def ranges(pred):
    """[start, end) runs of the code points where pred holds."""
    out = []
    start = None
    for cp in range(0x110000):
        if pred(cp):
            if start is None:
                start = cp
        elif start is not None:
            out.append([start, cp])
            start = None
    if start is not None:
        out.append([start, 0x110000])
    return out


def classes():
    ch = [chr(cp) for cp in range(0x110000)]
    return {
        "unidata_version": unicodedata.unidata_version,
        "assigned": ranges(lambda cp: unicodedata.category(ch[cp]) != "Cn"),
        "space": ranges(lambda cp: ch[cp].isspace()),
        "re_space": ranges(lambda cp: re.match(r"\s", ch[cp]) is not None),
        "word": ranges(lambda cp: WORD.match(ch[cp]) is not None),
        "upper": ranges(lambda cp: ch[cp].isupper()),
        "lower_or_title": ranges(lambda cp: ch[cp].islower() or unicodedata.category(ch[cp]) == "Lt"),
        "numeric": ranges(lambda cp: ch[cp].isnumeric()),
        "linebreak": ranges(lambda cp: len(("a" + ch[cp] + "b").splitlines()) == 2),
    }


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "strings":
        result = strings(json.load(sys.stdin))
    elif mode == "classes":
        result = classes()
    else:
        sys.exit(f"unknown mode {mode}")
    json.dump(result, sys.stdout)
