#!/bin/sh
# Formats the whole tree in the house style, once, as its own commit: ESLint's fixes and
# Prettier for TypeScript, Vue and JavaScript (npm run format), clang-format for the C
# (scripts/lint-c.sh --fix, when the tree has it). Then runs the linters to show the tree is clean.
set -eu

say() { printf 'format-all: %s\n' "$1"; }
err() { say "$1" >&2; exit "${2:-1}"; }

usage() {
	cat <<'USAGE'
Usage: scripts/format-all.sh [--dry-run]

  scripts/format-all.sh            format every source file in place, then lint
  scripts/format-all.sh --dry-run  list the files that would change, change nothing
  -h, --help                       this help

Run it on a clean work tree, then commit the result alone:
  git commit -am "Format the tree with Prettier and clang-format" -m "scripts/format-all.sh; no other change"
USAGE
}

main() {
	dry=0
	for arg in "$@"; do
		case $arg in
		--dry-run) dry=1 ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; err "unknown argument \"$arg\"" 2 ;;
		esac
	done
	root=$(cd "$(dirname "$0")/.." && pwd)
	cd "$root"
	if [ "$dry" = 1 ]; then
		say "files Prettier would change:"
		npx --no-install prettier --list-different . || true
		[ -f scripts/lint-c.sh ] && { say "C files off the house style:"; sh scripts/lint-c.sh || true; }
		exit 0
	fi
	# a formatting commit must hold nothing else
	[ -z "$(git status --porcelain --untracked-files=no)" ] ||
		err "the work tree has uncommitted changes: commit or stash them first"
	npm run -s format
	if [ -f scripts/lint-c.sh ]; then
		sh scripts/lint-c.sh --fix
	else
		say "no scripts/lint-c.sh: the C is left as it is"
	fi
	git diff --stat | tail -n 1
	npm run -s lint
	[ ! -f scripts/lint-c.sh ] || npm run -s lint:c
	say "done: review git diff and commit it alone"
}

main "$@"
