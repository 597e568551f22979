#!/usr/bin/env bash
# Installs the system tools the tests compare against or need (Debian packages), when missing,
# so `npm test` is the only set-up a fresh machine needs. The list is scripts/test-packages.txt:
# one "<check> <debian-package>" per line, where <check> is a command on PATH or a path that exists.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
while read -r check pkg; do
  [[ -z "${check:-}" || "$check" == \#* ]] && continue
  if [[ "$check" == /* ]]; then [[ -e "$check" ]] && continue
  else command -v "$check" >/dev/null 2>&1 && continue; fi
  missing+=("$pkg")
done < scripts/test-packages.txt
if ((${#missing[@]})); then
  echo "pretest: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The native addons must match this checkout (a pull may have changed native/): the install script
# rebuilds them only when they are older than native/ or binding.gyp.
node scripts/native-build.mjs
# The Slurm tests run against a real one-node cluster on this machine.
bash test/exec/slurm/up.sh
