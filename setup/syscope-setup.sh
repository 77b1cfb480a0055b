#!/usr/bin/env bash
# syscope's privileged setup: installs the least privilege the helper needs, and undoes it.
#
# Examples:
#   sudo syscope-setup.sh install-helper --from build/helper/syscope-helper
#   sudo syscope-setup.sh --dry-run install-helper --from build/helper/syscope-helper
#   sudo syscope-setup.sh install-tracefs --user alice      # only for the tracepoint fallback
#   sudo syscope-setup.sh --uninstall                      # revert exactly what was done
#   syscope-setup.sh status --json
#
# Commands:
#   install-helper --from PATH [--launcher PATH] [--tracefs-fallback]
#       copy the helper to /usr/local/libexec/syscope/ (root-owned: file capabilities are
#       ignored in home directories, on nosuid mounts and in AppImages) and give it
#       cap_bpf,cap_perfmon=ep — plus cap_dac_read_search only with --tracefs-fallback
#   install-tracefs [--user NAME]
#       group "tracing" may read the few tracefs files the classic-tracepoint fallback needs,
#       now and at every boot (systemd unit + udev rule); NAME joins the group
#   set-sysctl NAME VALUE --reason TEXT
#       a drop-in /etc/sysctl.d/60-syscope.conf entry, with the reason as a comment; refuses
#       kernel.kptr_restrict=0 (syscope never needs kernel addresses)
#   status [--json]       what is installed
#   --uninstall           revert everything in the manifest, newest first
# Options:
#   --root DIR            act on a system image under DIR (tests); live-system commands
#                         (systemctl, udevadm, sysctl -w) are skipped with a message
#   --dry-run             print every command that would run, change nothing
# Exit codes: 0 done, 1 failed (and rolled back), 2 usage error.
set -eu

ROOT=""
DRY_RUN=0
MANIFEST_REL=/var/lib/syscope/setup-manifest
LIBEXEC_REL=/usr/local/libexec/syscope
HERE=$(cd "$(dirname "$0")" && pwd)
ROLLBACK=()

say() { printf 'syscope-setup: %s\n' "$*"; }
err() {
	printf 'syscope-setup: error: %s\n' "$*" >&2
	exit 1
}
usage_err() {
	printf 'syscope-setup: %s\nRun with --help for usage.\n' "$*" >&2
	exit 2
}
need_cmd() { command -v "$1" >/dev/null 2>&1 || err "needs the command '$1' (Debian: $2)"; }
manifest() { printf '%s%s' "$ROOT" "$MANIFEST_REL"; }

# run CMD ARGS...: print it in dry-run mode, run it otherwise
run() {
	if [ "$DRY_RUN" -eq 1 ]; then
		local w line="+"
		for w in "$@"; do
			# plain words as they are; anything else quoted so the line can be pasted
			case "$w" in *[!A-Za-z0-9_./:=,+@%-]* | "") line="$line $(printf '%q' "$w")" ;; *) line="$line $w" ;; esac
		done
		printf '%s\n' "$line"
		return 0
	fi
	"$@"
}

# record an undo step (one line, fields separated by tabs); never twice
record() {
	local line
	line=$(printf '%s\t' "$@")
	line=${line%$'\t'}
	[ "$DRY_RUN" -eq 1 ] && return 0
	local m
	m=$(manifest)
	mkdir -p "$(dirname "$m")"
	touch "$m"
	grep -Fxq -- "$line" "$m" || printf '%s\n' "$line" >>"$m"
	ROLLBACK+=("$line")
}

live_system() { [ -z "$ROOT" ] || [ "$ROOT" = "/" ]; }
systemd_running() { live_system && [ -d /run/systemd/system ]; }

on_failure() {
	local rc=$?
	[ "$rc" -eq 0 ] && return 0
	if [ "${#ROLLBACK[@]}" -gt 0 ] && [ "$DRY_RUN" -eq 0 ]; then
		say "a step failed: undoing what this run did"
		local i
		for ((i = ${#ROLLBACK[@]} - 1; i >= 0; i--)); do
			undo_line "${ROLLBACK[$i]}" || true
			remove_manifest_line "${ROLLBACK[$i]}"
		done
	fi
	exit 1
}

remove_manifest_line() {
	local m tmp
	m=$(manifest)
	[ -f "$m" ] || return 0
	tmp=$(mktemp)
	grep -Fxv -- "$1" "$m" >"$tmp" || true
	cat "$tmp" >"$m"
	rm -f "$tmp"
}

nosuid_mount() {
	local opts
	opts=$(findmnt -n -o OPTIONS -T "$1" 2>/dev/null || true)
	case ",$opts," in *,nosuid,*) return 0 ;; esac
	return 1
}

ensure_dir() {
	[ -d "$1" ] && return 0
	ensure_dir "$(dirname "$1")"
	run mkdir -m 0755 "$1"
	record dir "$1"
}

install_file() { # SRC DEST MODE
	local src=$1 dest=$2 mode=$3
	if [ -f "$dest" ] && cmp -s "$src" "$dest"; then
		run chmod "$mode" "$dest"
		return 0
	fi
	[ -e "$dest" ] && [ ! -f "$(manifest)" ] && err "$dest exists and was not installed by syscope: refusing to overwrite it"
	ensure_dir "$(dirname "$dest")"
	run install -m "$mode" -o root -g root "$src" "$dest"
	record file "$dest"
}

cmd_install_helper() {
	local from="" launcher="" caps="cap_bpf,cap_perfmon=ep"
	while [ $# -gt 0 ]; do
		case "$1" in
		--from) from=${2:-}; shift 2 ;;
		--launcher) launcher=${2:-}; shift 2 ;;
		--tracefs-fallback) caps="cap_bpf,cap_perfmon,cap_dac_read_search=ep"; shift ;;
		*) usage_err "install-helper: unknown argument '$1'" ;;
		esac
	done
	[ -n "$from" ] || usage_err "install-helper needs --from PATH (the built syscope-helper)"
	if [ ! -f "$from" ] || [ ! -x "$from" ]; then err "$from is not an executable file"; fi
	need_cmd setcap "apt-get install libcap2-bin"
	need_cmd getcap "apt-get install libcap2-bin"
	local dir="$ROOT$LIBEXEC_REL" dest="$ROOT$LIBEXEC_REL/syscope-helper"
	ensure_dir "$dir"
	if [ "$DRY_RUN" -eq 0 ] && nosuid_mount "$dir"; then
		err "$dir is on a nosuid mount: file capabilities would be ignored there; install syscope on a normal root filesystem"
	fi
	install_file "$from" "$dest" 0755
	if [ -n "$launcher" ]; then install_file "$launcher" "$ROOT$LIBEXEC_REL/syscope-launch" 0755; fi
	# with the tracing group in use, only its members may run the more privileged helper
	local gid
	gid=$(awk -F: '$1 == "tracing" { print $3 }' "$ROOT/etc/group" 2>/dev/null || true)
	if [ "$caps" != "cap_bpf,cap_perfmon=ep" ] && [ -n "$gid" ]; then
		# by number: under --root the group exists only in that image's /etc/group
		run chgrp "$gid" "$dest"
		run chmod 0750 "$dest"
	fi
	run setcap "$caps" "$dest"
	if [ "$DRY_RUN" -eq 0 ]; then
		local got want c
		got=$(getcap "$dest")
		# getcap orders the names its own way: compare them as a set
		want=${caps%=ep}
		for c in ${want//,/ }; do
			case "$got" in *"$c"*"=ep" | *"$c"*"=pe") ;; *) err "setcap did not take on $dest (getcap says: ${got:-nothing}); is the filesystem mounted without nosuid and with xattrs?" ;; esac
		done
		say "installed $dest with $caps"
	fi
}

# the files the classic-tracepoint fallback reads, relative to the tracefs root
tracefs_paths() {
	local t
	echo .
	echo events
	for t in raw_syscalls/sys_enter raw_syscalls/sys_exit sched/sched_process_fork sched/sched_process_exec sched/sched_process_exit; do
		echo "events/${t%%/*}"
		echo "events/$t"
		echo "events/$t/id"
		echo "events/$t/format"
	done
}

open_tracefs_now() {
	local base=$1 p path old
	[ -d "$base/events" ] || { say "tracefs is not mounted at $base: skipped (the boot unit applies it once mounted)"; return 0; }
	for p in $(tracefs_paths | sort -u); do
		path="$base/$p"
		[ -e "$path" ] || continue
		old=$(stat -c '%a %U:%G' "$path")
		record mode "$path" "${old% *}" "${old#* }"
		run chgrp tracing "$path"
		if [ -d "$path" ]; then run chmod g+rx "$path"; else run chmod g+r "$path"; fi
	done
}

cmd_install_tracefs() {
	local user=""
	while [ $# -gt 0 ]; do
		case "$1" in
		--user) user=${2:-}; shift 2 ;;
		*) usage_err "install-tracefs: unknown argument '$1'" ;;
		esac
	done
	need_cmd groupadd "apt-get install passwd"
	local prefix=()
	[ -n "$ROOT" ] && prefix=(--prefix "$ROOT")
	if ! grep -q '^tracing:' "$ROOT/etc/group" 2>/dev/null; then
		run groupadd "${prefix[@]}" --system tracing
		record group tracing
	fi
	if [ -n "$user" ]; then
		if ! grep -q "^tracing:.*[:,]$user\(,\|$\)" "$ROOT/etc/group" 2>/dev/null; then
			run usermod "${prefix[@]}" -a -G tracing "$user"
			record member "$user" tracing
		fi
	fi
	install_file "$HERE/setup_tracefs_permissions.sh" "$ROOT$LIBEXEC_REL/setup_tracefs_permissions.sh" 0755
	install_file "$HERE/tracefs-permissions.service" "$ROOT/etc/systemd/system/tracefs-permissions.service" 0644
	install_file "$HERE/99-tracefs.rules" "$ROOT/etc/udev/rules.d/99-tracefs.rules" 0644
	if systemd_running; then
		run systemctl daemon-reload
		run systemctl enable tracefs-permissions.service
		record unit tracefs-permissions.service
	else
		say "systemd is not running here (container, WSL, or --root): the unit is installed but not enabled; run $LIBEXEC_REL/setup_tracefs_permissions.sh after boot instead"
	fi
	if live_system && command -v udevadm >/dev/null 2>&1 && [ -d /run/udev ]; then
		run udevadm control --reload
	else
		say "udev is not running here: the rule takes effect where udev runs"
	fi
	if live_system; then open_tracefs_now /sys/kernel/tracing; fi
	if live_system && [ -d /sys/kernel/debug/tracing/events ]; then open_tracefs_now /sys/kernel/debug/tracing; fi
	say "tracefs: group 'tracing' can read what the fallback needs${user:+; $user joins the group at next login}"
}

cmd_set_sysctl() {
	local name=${1:-} value=${2:-} reason=""
	[ $# -ge 2 ] || usage_err "usage: set-sysctl NAME VALUE --reason TEXT"
	shift 2
	while [ $# -gt 0 ]; do
		case "$1" in
		--reason) reason=${2:-}; shift 2 ;;
		*) usage_err "set-sysctl: unknown argument '$1'" ;;
		esac
	done
	[ -n "$reason" ] || usage_err "set-sysctl needs --reason: every changed setting says why"
	case "$name" in *[!a-z0-9_.]* | "") usage_err "'$name' is not a sysctl name" ;; esac
	case "$value" in *[!0-9-]* | "") usage_err "'$value' is not a number" ;; esac
	if [ "$name" = kernel.kptr_restrict ] && [ "$value" = 0 ]; then
		err "refusing kernel.kptr_restrict=0: it exposes kernel addresses to every user, and syscope never needs them (its helper loads with kptr_restrict=2)"
	fi
	local conf="$ROOT/etc/sysctl.d/60-syscope.conf" old
	old=$(cat "/proc/sys/$(echo "$name" | tr . /)" 2>/dev/null || echo unknown)
	ensure_dir "$(dirname "$conf")"
	[ -f "$conf" ] || { run touch "$conf"; record file "$conf"; }
	if [ "$DRY_RUN" -eq 1 ]; then
		printf '+ append to %s: # %s / %s = %s\n' "$conf" "$reason" "$name" "$value"
	else
		printf '# %s\n%s = %s\n' "$reason" "$name" "$value" >>"$conf"
	fi
	record sysctl "$name" "$old"
	if live_system; then run sysctl -q -w "$name=$value"; else say "--root: not applying $name to the running kernel"; fi
}

undo_line() {
	local kind a b c
	IFS=$'\t' read -r kind a b c <<<"$1"
	case "$kind" in
	file) [ -e "$a" ] && run rm -f "$a" ;;
	dir) if [ -d "$a" ]; then run rmdir "$a" 2>/dev/null || true; fi ;;
	group)
		local prefix=()
		[ -n "$ROOT" ] && prefix=(--prefix "$ROOT")
		run groupdel "${prefix[@]}" "$a" || true
		;;
	member)
		local prefix=()
		[ -n "$ROOT" ] && prefix=(--prefix "$ROOT")
		run gpasswd "${prefix[@]}" -d "$a" "$b" >/dev/null || true
		;;
	mode) [ -e "$a" ] && { run chmod "$b" "$a"; run chown "$c" "$a"; } ;;
	unit) if systemd_running; then run systemctl disable "$a" || true; fi ;;
	sysctl) if [ "$b" != unknown ] && live_system; then run sysctl -q -w "$a=$b" || true; fi ;;
	*) say "manifest: unknown entry '$kind', skipped" ;;
	esac
}

cmd_uninstall() {
	local m
	m=$(manifest)
	[ -f "$m" ] || { say "nothing to undo: no manifest at $m"; return 0; }
	local lines=() line i
	while IFS= read -r line; do [ -n "$line" ] && lines+=("$line"); done <"$m"
	for ((i = ${#lines[@]} - 1; i >= 0; i--)); do
		undo_line "${lines[$i]}"
	done
	run rm -f "$m"
	if [ -d "$ROOT/var/lib/syscope" ]; then run rmdir "$ROOT/var/lib/syscope" 2>/dev/null || true; fi
	say "reverted everything syscope's setup had done"
}

cmd_status() {
	local json=0 dest="$ROOT$LIBEXEC_REL/syscope-helper" caps="" m
	[ "${1:-}" = "--json" ] && json=1
	m=$(manifest)
	[ -f "$dest" ] && caps=$(getcap "$dest" 2>/dev/null | sed 's/^[^ ]* //')
	local entries=0
	[ -f "$m" ] && entries=$(grep -c . "$m" || true)
	if [ "$json" -eq 1 ]; then
		printf '{"helper_installed":%s,"helper_path":"%s","helper_caps":"%s","tracefs_setup":%s,"manifest_entries":%s}\n' \
			"$([ -f "$dest" ] && echo true || echo false)" "$dest" "$caps" \
			"$([ -f "$ROOT/etc/udev/rules.d/99-tracefs.rules" ] && echo true || echo false)" "$entries"
	else
		say "helper: $([ -f "$dest" ] && echo "$dest ($caps)" || echo "not installed")"
		say "manifest: $entries entries"
	fi
}

main() {
	local cmd=""
	while [ $# -gt 0 ]; do
		case "$1" in
		--root) ROOT=${2:-}; [ -d "$ROOT" ] || usage_err "--root $ROOT is not a directory"; ROOT=$(cd "$ROOT" && pwd); [ "$ROOT" = / ] && ROOT=""; shift 2 ;;
		--dry-run) DRY_RUN=1; shift ;;
		--uninstall | uninstall) cmd=uninstall; shift ;;
		-h | --help) sed -n '2,/^set -eu/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -eu/d'; exit 0 ;;
		install-helper | install-tracefs | set-sysctl | status) cmd=$1; shift; break ;;
		*) usage_err "unknown argument '$1'" ;;
		esac
	done
	[ -n "$cmd" ] || usage_err "name a command: install-helper, install-tracefs, set-sysctl, status or --uninstall"
	if [ "$cmd" != status ] && [ "$DRY_RUN" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
		err "run as root (the app runs it through pkexec for you)"
	fi
	trap on_failure EXIT
	case "$cmd" in
	install-helper) cmd_install_helper "$@" ;;
	install-tracefs) cmd_install_tracefs "$@" ;;
	set-sysctl) cmd_set_sysctl "$@" ;;
	status) cmd_status "$@" ;;
	uninstall) cmd_uninstall ;;
	esac
	trap - EXIT
}

main "$@"
