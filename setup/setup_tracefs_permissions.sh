#!/bin/sh
# Lets group "tracing" read the few tracefs files syscope's classic-tracepoint fallback needs.
# Run at boot by tracefs-permissions.service. Narrow on purpose: no chmod -R, no remount of
# debugfs, nothing for anyone outside the group.
#
# Usage: setup_tracefs_permissions.sh [--dry-run] [--root DIR]
#   --dry-run    print every command it would run, change nothing
#   --root DIR   act on a system image under DIR (its etc/group and sys/kernel/tracing; tests)
#   -h, --help   this text
# Exit codes: 0 done (or tracefs not mounted), 1 failed, 2 usage error.
set -eu

ROOT=""
DRY_RUN=0
GID=""

usage() { sed -n '2,/^set -eu/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -eu/d'; }
usage_err() {
	printf 'setup_tracefs_permissions: %s\nRun with --help for usage.\n' "$1" >&2
	exit 2
}
fail() {
	printf 'setup_tracefs_permissions: error: %s\n' "$1" >&2
	exit 1
}

# run CMD ARGS...: print it in dry-run mode, run it otherwise
run() {
	if [ "$DRY_RUN" -eq 1 ]; then
		printf '+ %s\n' "$*"
		return 0
	fi
	"$@"
}

# tracefs has no symbolic links: one here means something else was put in its place
no_link() {
	for p in "$@"; do
		[ -L "$p" ] && fail "$p is a symbolic link: not following it"
	done
	return 0
}

open_up() {
	base=$1
	[ -d "$base/events" ] || return 0
	no_link "$base" "$base/events"
	run chgrp "$GID" "$base" "$base/events"
	run chmod g+rx "$base" "$base/events"
	for t in raw_syscalls/sys_enter raw_syscalls/sys_exit sched/sched_process_fork sched/sched_process_exec sched/sched_process_exit; do
		d="$base/events/$t"
		[ -d "$d" ] || continue
		no_link "$(dirname "$d")" "$d" "$d/id" "$d/format"
		run chgrp "$GID" "$(dirname "$d")" "$d" "$d/id" "$d/format"
		run chmod g+rx "$(dirname "$d")" "$d"
		run chmod g+r "$d/id" "$d/format"
	done
}

main() {
	while [ $# -gt 0 ]; do
		case "$1" in
		--dry-run) DRY_RUN=1; shift ;;
		--root)
			if [ $# -lt 2 ] || [ ! -d "$2" ]; then usage_err "--root needs a directory"; fi
			ROOT=$(cd "$2" && pwd -P)
			[ "$ROOT" = / ] && ROOT=""
			shift 2
			;;
		-h | --help) usage; exit 0 ;;
		*) usage_err "unknown argument '$1'" ;;
		esac
	done
	# by number: under --root the group exists only in that image's etc/group
	if [ -n "$ROOT" ]; then
		no_link "$ROOT/etc" "$ROOT/etc/group"
		GID=$(awk -F: '$1 == "tracing" { print $3 }' "$ROOT/etc/group" 2>/dev/null || true)
	else
		GID=$(getent group tracing | cut -d: -f3 || true)
	fi
	[ -n "$GID" ] || fail "group 'tracing' does not exist (syscope-setup.sh install-tracefs creates it)"
	no_link "$ROOT/sys" "$ROOT/sys/kernel" "$ROOT/sys/kernel/debug"
	open_up "$ROOT/sys/kernel/tracing"
	open_up "$ROOT/sys/kernel/debug/tracing"
}

main "$@"
