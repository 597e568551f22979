"""RedPajama's book SimHash (rp_v1 data_prep/book/dedup.py features + the 1e0ng simhash value),
re-expressed with the standard library for the parity test: features are the character 6-grams of
re.sub(r'[^\w]+', '', text.lower()); each feature's hash is md5's last 8 bytes (big-endian); bit j is
set iff more than half of the features have it. Usage: rp_simhash.py TEXTS.json -> JSON list of
16-hex-digit values."""
import hashlib
import json
import re
import sys


def simhash(text, width=6, f=64):
    s = re.sub(r'[^\w]+', '', text.lower())
    features = [s[i:i + width] for i in range(max(len(s) - width + 1, 1))]
    counts = [0] * f
    mask = (1 << f) - 1
    for feat in features:
        h = int(hashlib.md5(feat.encode('utf-8')).hexdigest(), 16) & mask
        for j in range(f):
            if h >> j & 1:
                counts[j] += 1
    value = 0
    for j in range(f):
        if counts[j] > len(features) / 2:
            value |= 1 << j
    return '%016x' % value


with open(sys.argv[1], encoding='utf-8') as fh:
    print(json.dumps([simhash(t) for t in json.load(fh)]))
