"""Character-level similarity (difflib ratio, 2*M/T) of pairs of texts, fast on long documents.

difflib's char-level SequenceMatcher is quadratic without autojunk and distorted with it, so the
matching characters M are counted in two levels: lines are aligned first (exact line matches count
all their characters), then each replaced block of lines is compared character by character.
Input: JSON {"pairs": [[a, b], ...]} on stdin. Output: JSON {"ratios": [...]}.
"""
import difflib
import json
import sys


def matching_chars(a, b):
    la = a.splitlines(keepends=True)
    lb = b.splitlines(keepends=True)
    sm = difflib.SequenceMatcher(None, la, lb, autojunk=False)
    m = 0
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            m += sum(len(x) for x in la[i1:i2])
        elif tag == "replace":
            x = "".join(la[i1:i2])
            y = "".join(lb[j1:j2])
            if len(x) * len(y) > 4_000_000:
                inner = difflib.SequenceMatcher(None, x, y)
            else:
                inner = difflib.SequenceMatcher(None, x, y, autojunk=False)
            m += sum(bl.size for bl in inner.get_matching_blocks())
    return m


def ratio(a, b):
    total = len(a) + len(b)
    return 1.0 if total == 0 else 2.0 * matching_chars(a, b) / total


def main():
    data = json.load(sys.stdin)
    json.dump({"ratios": [ratio(a, b) for a, b in data["pairs"]]}, sys.stdout)


if __name__ == "__main__":
    main()
