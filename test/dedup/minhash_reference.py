"""Reference MinHash signatures with RedPajama-V2's published definition, for /usr/bin/python3 with
Debian python3-numpy: normalized words (lower-cased, ASCII punctuation removed, whitespace collapsed,
NFD), the set of " ".join(13-word windows), h = little-endian uint32 of sha1[:4], permutations
((h * a) + b) mod (2**61 - 1) & 0xffffffff in numpy uint64 arithmetic, a and b drawn from
RandomState(42) right here (not read from the repository's data file). Input: JSON lines {"text"};
output: JSON lines {"sig": [...]} or {"sig": null}.
"""
import hashlib
import json
import re
import string
import struct
import sys
import unicodedata

import numpy as np

NGRAM = 13
PERMS = int(sys.argv[1]) if len(sys.argv) > 1 else 128


def normalize(text):
    text = text.translate(str.maketrans("", "", string.punctuation)).lower().strip()
    return unicodedata.normalize("NFD", re.sub(r"\s+", " ", text))


def main():
    rng = np.random.RandomState(42)
    prime = np.uint64((1 << 61) - 1)
    pairs = [(rng.randint(1, prime, dtype=np.uint64), rng.randint(0, prime, dtype=np.uint64)) for _ in range(PERMS)]
    a = np.array([p[0] for p in pairs], dtype=np.uint64)
    b = np.array([p[1] for p in pairs], dtype=np.uint64)
    mask = np.uint64(0xFFFFFFFF)
    for line in sys.stdin:
        words = normalize(json.loads(line)["text"]).split()
        if len(words) < NGRAM:
            print(json.dumps({"sig": None}))
            continue
        shingles = {" ".join(words[i:i + NGRAM]) for i in range(len(words) - NGRAM + 1)}
        h = np.array([struct.unpack("<I", hashlib.sha1(s.encode("utf-8")).digest()[:4])[0] for s in shingles], dtype=np.uint64)
        with np.errstate(over="ignore"):
            phv = ((h[:, None] * a[None, :]) + b[None, :]) % prime & mask
        sig = np.minimum(phv.min(axis=0), mask).astype(np.uint32)
        print(json.dumps({"sig": [int(x) for x in sig]}))


if __name__ == "__main__":
    main()
