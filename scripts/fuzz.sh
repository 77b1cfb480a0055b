#!/usr/bin/env bash
# Every fuzzer, one after the other, for longer than the test suite runs them:
#   npm run fuzz            60 seconds each
#   npm run fuzz -- 600     ten minutes each
set -eu

err() { printf 'fuzz: error: %s\n' "$*" >&2; exit 2; }

main() {
  local seconds=${1:-60}
  case $seconds in
    '' | *[!0-9]*) err "seconds must be a whole number, e.g. npm run fuzz -- 300 (got \"$seconds\")" ;;
  esac
  [ $# -le 1 ] || err "one argument at most: the seconds each fuzzer runs"
  local root
  root=$(cd "$(dirname "$0")/.." && pwd)
  bash "$root/scripts/fuzz-helper.sh" "$seconds"
  node "$root/scripts/fuzz-reader.mjs" "$seconds"
}

main "$@"
