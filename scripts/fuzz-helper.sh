#!/usr/bin/env bash
# Fuzzes the helper's request reader and parser (test/helper-c/fuzz_protocol.c) for longer than
# `make -C helper test` does. The corpus it grows stays in build/helper/fuzz and is replayed by
# every later run, the test suite's included.
#   npm run fuzz:helper            60 seconds
#   npm run fuzz:helper -- 600     ten minutes (or FUZZ_SECONDS=600)
set -eu

say() { printf 'fuzz:helper: %s\n' "$*"; }
err() { printf 'fuzz:helper: error: %s\n' "$*" >&2; exit 2; }

main() {
  local seconds=${1:-${FUZZ_SECONDS:-60}}
  case $seconds in
    '' | *[!0-9]*) err "seconds must be a whole number, e.g. npm run fuzz:helper -- 300 (got \"$seconds\")" ;;
  esac
  [ "$seconds" -ge 1 ] || err "seconds must be at least 1"
  local root
  root=$(cd "$(dirname "$0")/.." && pwd)
  make -s -C "$root/helper" fuzz
  say "running for $seconds s on $(nproc) core(s)"
  sh "$root/test/helper-c/run-fuzz.sh" "$root/build/helper/tests/fuzz_protocol" \
    "$root/test/helper-c/fuzz-seeds" "$root/build/helper/fuzz/corpus" -max_total_time="$seconds"
}

main "$@"
