#!/usr/bin/env bash
# Prints the Debian packages that own the shared libraries the given executables load, one
# per line: the runtime image (compose/Dockerfile) installs exactly these, so it never
# drifts from what the build linked.
#   compose/runtime-packages.sh build/bin/sync-user build/bin/async-user ...
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 EXECUTABLE..." >&2; exit 2; }
ldd "$@" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u |
  while read -r lib; do
    # Match the multiarch directory too (x86_64-linux-gnu/libc.so.6), or the 32-bit
    # libraries' packages would match; /lib and /usr/lib alike (usrmerge).
    owner=$(dpkg -S "*/$(basename "$(dirname "$lib")")/$(basename "$lib")" 2>/dev/null | cut -d: -f1) || {
      echo "runtime-packages: no Debian package owns $lib" >&2
      exit 1
    }
    echo "$owner" | tr ',' '\n' | tr -d ' '
  done | grep -v '^$' | sort -u
