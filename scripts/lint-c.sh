#!/bin/sh
# Checks that the C of helper/ and bpf/ follows the house style in .clang-format.
#   scripts/lint-c.sh          list what is off and exit 1 if anything is
#   scripts/lint-c.sh --fix    rewrite the files in place
# helper/syscall_names.h is left out: scripts/gen-syscall-table.mjs writes it.
set -eu

say() { printf 'lint-c: %s\n' "$1"; }
err() { say "$1" >&2; exit "${2:-1}"; }

usage() {
	cat <<'USAGE'
Usage: scripts/lint-c.sh [--fix]

Checks helper/*.c, helper/*.h and bpf/* against .clang-format (clang-format --dry-run --Werror).
  --fix       format the files in place instead
  -h, --help  this help
Needs clang-format (Debian package clang-format; scripts/setup.sh installs it).
USAGE
}

main() {
	fix=0
	for arg in "$@"; do
		case $arg in
		--fix) fix=1 ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; err "unknown argument \"$arg\"" 2 ;;
		esac
	done
	command -v clang-format >/dev/null 2>&1 ||
		err "clang-format not found: install it (apt-get install clang-format)"
	root=$(cd "$(dirname "$0")/.." && pwd)
	cd "$root"
	set --
	for f in helper/*.c helper/*.h bpf/*.c bpf/*.h; do
		[ "$f" = helper/syscall_names.h ] && continue
		set -- "$@" "$f"
	done
	if [ "$fix" = 1 ]; then
		clang-format -i "$@"
		say "formatted $# files"
		return 0
	fi
	if ! clang-format --dry-run --Werror "$@"; then
		err "the files above differ from .clang-format: run scripts/lint-c.sh --fix"
	fi
	say "$# files follow .clang-format"
}

main "$@"
