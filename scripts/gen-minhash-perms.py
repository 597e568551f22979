#!/usr/bin/python3
"""Writes the MinHash permutations RedPajama-V2 uses (app/src/dedupe/minhash.py): pairs (a, b) drawn
in turn from numpy.random.RandomState(seed), a = randint(1, 2**61 - 1), b = randint(0, 2**61 - 1), both
dtype uint64. Draws are sequential, so the first N pairs of a longer list are the pairs for N
permutations. Run with Debian's python3-numpy:

    /usr/bin/python3 scripts/gen-minhash-perms.py 42 1024 > src/dedup/minhash/data/perms-seed42.json
"""
import hashlib
import json
import sys

import numpy as np


def main():
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 42
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
    rng = np.random.RandomState(seed)
    prime = np.uint64((1 << 61) - 1)
    pairs = [(rng.randint(1, prime, dtype=np.uint64), rng.randint(0, prime, dtype=np.uint64)) for _ in range(count)]
    # RPv2 logs sha256 of the (2, N) uint64 array's bytes as __MINHASH_PERM_CHECKSUM__; record it for N=128.
    arr = np.array(pairs[:128], dtype=np.uint64).T
    json.dump({
        "seed": seed,
        "generator": "numpy.random.RandomState(seed).randint(1|0, 2**61-1, dtype=uint64), a then b per permutation",
        "numpy": np.__version__,
        "checksum128": hashlib.sha256(arr.tobytes()).hexdigest(),
        "a": [str(int(a)) for a, _ in pairs],
        "b": [str(int(b)) for _, b in pairs],
    }, sys.stdout, indent=0)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
