#!/bin/sh
# Lets group "tracing" read the few tracefs files syscope's classic-tracepoint fallback needs.
# Run at boot by tracefs-permissions.service. Narrow on purpose: no chmod -R, no remount of
# debugfs, nothing for anyone outside the group.
set -eu

open_up() {
	base=$1
	[ -d "$base/events" ] || return 0
	chgrp tracing "$base" "$base/events"
	chmod g+rx "$base" "$base/events"
	for t in raw_syscalls/sys_enter raw_syscalls/sys_exit sched/sched_process_fork sched/sched_process_exec sched/sched_process_exit; do
		d="$base/events/$t"
		[ -d "$d" ] || continue
		chgrp tracing "$(dirname "$d")" "$d" "$d/id" "$d/format"
		chmod g+rx "$(dirname "$d")" "$d"
		chmod g+r "$d/id" "$d/format"
	done
}

main() {
	getent group tracing >/dev/null || { echo "setup_tracefs_permissions: group 'tracing' does not exist" >&2; exit 1; }
	open_up /sys/kernel/tracing
	open_up /sys/kernel/debug/tracing
}

main "$@"
