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
#       cap_bpf,cap_perfmon=ep — plus cap_dac_read_search only with --tracefs-fallback, and
#       then for group "tracing" only (mode 0750; run install-tracefs first)
#   install-tracefs [--user NAME]
#       group "tracing" may read the few tracefs files the classic-tracepoint fallback needs,
#       now and at every boot (systemd unit + udev rule); NAME joins the group
#   set-sysctl NAME VALUE --reason TEXT
#       one line in syscope's own /etc/sysctl.d/60-syscope.conf, with the reason as a comment.
#       Only the settings the diagnosis reads, and only towards stricter values:
#         kernel.perf_event_paranoid 2|3|4, kernel.kptr_restrict 1|2,
#         kernel.unprivileged_bpf_disabled 1|2, net.core.bpf_jit_enable 1
#       never below what the running kernel has now (kptr_restrict=0 is always refused)
#   status [--json]       what is installed
#   --uninstall           revert everything in the manifest, newest first
# Options:
#   --root DIR            act on a system image under DIR (tests); live-system commands
#                         (systemctl, udevadm, sysctl -w) are skipped with a message
#   --dry-run             print every command that would run, change nothing
#   -h, --help            this text
# Setup never overwrites or removes a file it did not install, installs only into root-owned
# directories nobody else can write, and follows no symbolic link.
# Exit codes: 0 done, 1 failed (and rolled back), 2 usage error.
set -eu

ROOT=""
DRY_RUN=0
MANIFEST_REL=/var/lib/syscope/setup-manifest
LIBEXEC_REL=/usr/local/libexec/syscope
SYSCTL_CONF_REL=/etc/sysctl.d/60-syscope.conf
HERE=$(cd "$(dirname "$0")" && pwd)
ROLLBACK=()
STAGED="" # a temporary file of ours not yet renamed into place: removed if a step fails

say() { printf 'syscope-setup: %s\n' "$*"; }
err() {
	printf 'syscope-setup: error: %s\n' "$*" >&2
	exit 1
}
usage_err() {
	printf 'syscope-setup: %s\nRun with --help for usage.\n' "$*" >&2
	exit 2
}
usage() { sed -n '2,/^set -eu/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -eu/d'; }
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

# A path setup acts on must be a real path: a symbolic link anywhere in it could point out of
# the --root image or at a file an unprivileged user controls. Each existing component must be
# a directory owned by root that group and others cannot write (a sticky one such as /tmp is
# fine on the way: nobody else can rename the root-owned entry below it). With "strict", the
# last component may not be writable by anyone but root even if sticky: files are created there.
safe_dir() { # DIR [strict]
	local dir=$1 strict=${2:-} p="" comp last i=0
	local -a parts
	case "$dir" in /*) ;; *) err "internal: '$dir' is not an absolute path" ;; esac
	IFS=/ read -r -a parts <<<"${dir#/}"
	last=${#parts[@]}
	check_component / "$([ "$last" -eq 0 ] && echo "$strict")"
	for comp in "${parts[@]}"; do
		i=$((i + 1))
		[ -n "$comp" ] || continue
		p="$p/$comp"
		if [ ! -e "$p" ] && [ ! -L "$p" ]; then
			[ "$DRY_RUN" -eq 1 ] && return 0 # would be created by ensure_dir, root-owned
			err "$p does not exist"
		fi
		check_component "$p" "$([ "$i" -eq "$last" ] && echo "$strict")"
	done
}

check_component() { # PATH [strict]
	local p=$1 st uid mode
	[ -L "$p" ] && err "$p is a symbolic link: setup follows no symbolic link (it could lead out of --root or to a file another user controls); use the real path"
	[ -d "$p" ] || err "$p is not a directory"
	st=$(stat -c '%u %a' -- "$p")
	uid=${st% *}
	mode=${st#* }
	[ "$uid" -eq 0 ] || err "$p is owned by uid $uid, not root: another user could swap what setup installs there; make it root-owned (chown root: '$p') or remove it"
	if (((8#$mode & 8#022) != 0)) && { [ -n "${2:-}" ] || (((8#$mode & 8#1000) == 0)); }; then
		err "$p is writable by group or others (mode $mode): another user could swap what setup installs there; chmod go-w '$p'"
	fi
}

# the file itself: not a symbolic link, in a safe directory
safe_file() { # PATH [strict]
	[ -L "$1" ] && err "$1 is a symbolic link: setup follows no symbolic link; use the real path"
	safe_dir "$(dirname "$1")" "${2:-}"
}

# from stdin: sha256sum escapes a file name with a backslash by prefixing the hash with one
hash_of() { sha256sum <"$1" | cut -d' ' -f1; }

# the manifest's entry for a file setup installed: "file PATH SHA256", or nothing
file_entry() {
	local m
	m=$(manifest)
	[ -f "$m" ] || return 0
	awk -F'\t' -v p="$1" '$1 == "file" && $2 == p' "$m"
}
is_ours() { [ -n "$(file_entry "$1")" ]; }

# refuse to replace PATH unless setup installed it and nobody changed it since
may_replace() { # PATH WHAT
	local entry sum
	[ -e "$1" ] || return 0
	entry=$(file_entry "$1")
	[ -n "$entry" ] || err "$1 exists and was not $2 by syscope's setup: refusing to overwrite it (move it away and run again)"
	sum=$(printf '%s\n' "$entry" | cut -f3)
	if [ -n "$sum" ] && [ "$(hash_of "$1")" != "$sum" ]; then
		err "$1 changed since syscope's setup $2 it: refusing to overwrite it (move it away and run again)"
	fi
}

# record an undo step (one line, fields separated by tabs), after the change it undoes; never twice
record() {
	local line
	line=$(printf '%s\t' "$@")
	line=${line%$'\t'}
	[ "$DRY_RUN" -eq 1 ] && return 0
	local m
	m=$(manifest)
	ensure_dir "$(dirname "$m")"
	safe_file "$m" strict
	[ -e "$m" ] || (umask 077 && : >"$m")
	grep -Fxq -- "$line" "$m" || printf '%s\n' "$line" >>"$m"
	ROLLBACK+=("$line")
}

# a file setup installed: appended, or its hash updated in place when setup replaced it
record_file() { # PATH
	[ "$DRY_RUN" -eq 1 ] && return 0
	local sum m tmp
	sum=$(hash_of "$1")
	if ! is_ours "$1"; then
		record file "$1" "$sum"
		return 0
	fi
	m=$(manifest)
	tmp=$(mktemp "$m.XXXXXX")
	awk -F'\t' -v OFS='\t' -v p="$1" -v s="$sum" '$1 == "file" && $2 == p { print "file", p, s; next } { print }' "$m" >"$tmp"
	mv -f -- "$tmp" "$m"
}

live_system() { [ -z "$ROOT" ]; }
systemd_running() { live_system && [ -d /run/systemd/system ]; }

on_failure() {
	local rc=$?
	[ "$rc" -eq 0 ] && return 0
	[ -n "$STAGED" ] && rm -f -- "$STAGED"
	if [ "${#ROLLBACK[@]}" -gt 0 ] && [ "$DRY_RUN" -eq 0 ]; then
		say "a step failed: undoing what this run did"
		local i
		for ((i = ${#ROLLBACK[@]} - 1; i >= 0; i--)); do
			undo_line "${ROLLBACK[$i]}" || true
			remove_manifest_line "${ROLLBACK[$i]}"
		done
		drop_empty_manifest
	fi
	[ "$rc" -eq 2 ] && exit 2
	exit 1
}

remove_manifest_line() {
	local m tmp
	m=$(manifest)
	[ -f "$m" ] || return 0
	tmp=$(mktemp "$m.XXXXXX")
	grep -Fxv -- "$1" "$m" >"$tmp" || true
	mv -f -- "$tmp" "$m"
}

# a manifest with nothing left to undo goes, with its directory: as if setup had never run
drop_empty_manifest() {
	local m
	m=$(manifest)
	[ -f "$m" ] && ! grep -q . "$m" && rm -f -- "$m"
	if [ -d "$ROOT/var/lib/syscope" ]; then rmdir -- "$ROOT/var/lib/syscope" 2>/dev/null || true; fi
}

nosuid_mount() {
	local opts
	opts=$(findmnt -n -o OPTIONS -T "$1" 2>/dev/null || true)
	case ",$opts," in *,nosuid,*) return 0 ;; esac
	return 1
}

ensure_dir() {
	if [ -d "$1" ] && [ ! -L "$1" ]; then return 0; fi
	[ -L "$1" ] && err "$1 is a symbolic link: setup follows no symbolic link; use the real path"
	ensure_dir "$(dirname "$1")"
	[ "$DRY_RUN" -eq 1 ] || safe_dir "$(dirname "$1")"
	run mkdir -m 0755 "$1"
	record dir "$1"
}

# the capabilities getcap reports for PATH, as a sorted comma list ("" for none)
caps_of() {
	local out
	out=$(getcap -- "$1" 2>/dev/null || true)
	out=${out#"$1"}
	out=${out# }
	out=${out#=}
	printf '%s' "$out"
}
caps_match() { # GOT WANT: same set of names, =ep
	local got=$1 want=$2 g w
	case "$got" in *=ep | *=pe) ;; *) return 1 ;; esac
	g=$(printf '%s' "${got%=*}" | tr , '\n' | sort | tr '\n' ,)
	w=$(printf '%s' "${want%=*}" | tr , '\n' | sort | tr '\n' ,)
	[ "$g" = "$w" ]
}

# Install SRC as DEST (mode, group id, optional capabilities) without a window in which anyone
# else could swap it: the directory is checked to be writable by root only, the copy goes to a
# temporary name in it, gets its capabilities, is verified (owner, group, mode, content hash,
# capabilities) and only then renamed into place.
install_file() { # SRC DEST MODE [GID] [CAPS]
	local src=$1 dest=$2 mode=$3 gid=${4:-0} caps=${5:-} dir base tmp st
	dir=$(dirname "$dest")
	base=$(basename "$dest")
	ensure_dir "$dir"
	safe_file "$dest" strict
	may_replace "$dest" installed
	if [ -f "$dest" ] && [ "$(hash_of "$src")" = "$(hash_of "$dest")" ] &&
		[ "$(stat -c '%u %g %a' -- "$dest")" = "0 $gid ${mode#0}" ] &&
		{ [ -z "$caps" ] || caps_match "$(caps_of "$dest")" "$caps"; }; then
		return 0 # already exactly so
	fi
	if [ "$DRY_RUN" -eq 1 ]; then
		tmp="$dir/.$base.XXXXXX"
	else
		tmp=$(mktemp -- "$dir/.$base.XXXXXX")
		STAGED=$tmp
	fi
	run install -m "$mode" -o root -g root "$src" "$tmp"
	[ "$gid" = 0 ] || run chgrp "$gid" "$tmp"
	[ -z "$caps" ] || run setcap "$caps" "$tmp"
	if [ "$DRY_RUN" -eq 0 ]; then
		st=$(stat -c '%u %g %a %F' -- "$tmp")
		[ "$st" = "0 $gid ${mode#0} regular file" ] || err "$tmp is '$st' after install, not 'root, gid $gid, mode $mode': not installing it"
		[ "$(hash_of "$tmp")" = "$(hash_of "$src")" ] || err "$tmp differs from $src after the copy ($src changed meanwhile?): not installing it"
		if [ -n "$caps" ] && ! caps_match "$(caps_of "$tmp")" "$caps"; then
			err "setcap did not take on $tmp (getcap says: $(caps_of "$tmp")); is the filesystem mounted without nosuid and with xattrs?"
		fi
	fi
	run mv -fT -- "$tmp" "$dest"
	STAGED=""
	record_file "$dest"
}

cmd_install_helper() {
	local from="" launcher="" caps="cap_bpf,cap_perfmon=ep"
	while [ $# -gt 0 ]; do
		case "$1" in
		--from) from=${2:-}; shift 2 || shift ;;
		--launcher) launcher=${2:-}; shift 2 || shift ;;
		--tracefs-fallback) caps="cap_bpf,cap_perfmon,cap_dac_read_search=ep"; shift ;;
		-h | --help) usage; exit 0 ;;
		*) usage_err "install-helper: unknown argument '$1'" ;;
		esac
	done
	[ -n "$from" ] || usage_err "install-helper needs --from PATH (the built syscope-helper)"
	if [ ! -f "$from" ] || [ ! -x "$from" ]; then err "$from is not an executable file"; fi
	if [ -n "$launcher" ] && { [ ! -f "$launcher" ] || [ ! -x "$launcher" ]; }; then err "$launcher is not an executable file"; fi
	need_cmd setcap "apt-get install libcap2-bin"
	need_cmd getcap "apt-get install libcap2-bin"
	# cap_dac_read_search reads any file: only members of group tracing may run that helper
	local gid="" mode=0755
	if [ "$caps" != "cap_bpf,cap_perfmon=ep" ]; then
		safe_file "$ROOT/etc/group"
		# by number: under --root the group exists only in that image's /etc/group
		gid=$(awk -F: '$1 == "tracing" { print $3 }' "$ROOT/etc/group" 2>/dev/null || true)
		[ -n "$gid" ] || err "--tracefs-fallback installs the helper for group 'tracing' only, and there is no such group: run install-tracefs first"
		mode=0750
	fi
	local dir="$ROOT$LIBEXEC_REL" dest="$ROOT$LIBEXEC_REL/syscope-helper"
	ensure_dir "$dir"
	if [ "$DRY_RUN" -eq 0 ] && nosuid_mount "$dir"; then
		err "$dir is on a nosuid mount: file capabilities would be ignored there; install syscope on a normal root filesystem"
	fi
	install_file "$from" "$dest" "$mode" "${gid:-0}" "$caps"
	if [ -n "$launcher" ]; then install_file "$launcher" "$ROOT$LIBEXEC_REL/syscope-launch" 0755; fi
	[ "$DRY_RUN" -eq 1 ] || say "installed $dest with $caps"
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
		# recorded first: restoring a mode that was never changed is harmless
		record mode "$path" "${old% *}" "${old#* }"
		run chgrp tracing "$path"
		if [ -d "$path" ]; then run chmod g+rx "$path"; else run chmod g+r "$path"; fi
	done
}

cmd_install_tracefs() {
	local user=""
	while [ $# -gt 0 ]; do
		case "$1" in
		--user) user=${2:-}; shift 2 || shift ;;
		-h | --help) usage; exit 0 ;;
		*) usage_err "install-tracefs: unknown argument '$1'" ;;
		esac
	done
	case "$user" in -* | *[!A-Za-z0-9_.-]*) usage_err "install-tracefs: '$user' is not a user name" ;; esac
	need_cmd groupadd "apt-get install passwd"
	local prefix=() f
	[ -n "$ROOT" ] && prefix=(--prefix "$ROOT")
	for f in group gshadow passwd shadow; do safe_file "$ROOT/etc/$f"; done
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

# How strict a value of an allowed setting is (higher is stricter), or nothing when setup never
# sets that value. Only what the diagnosis reads; none of it is ever lowered.
sysctl_strength() { # NAME VALUE
	case "$1 $2" in
	"kernel.perf_event_paranoid 2") echo 2 ;;
	"kernel.perf_event_paranoid 3") echo 3 ;;
	"kernel.perf_event_paranoid 4") echo 4 ;;
	"kernel.kptr_restrict 1") echo 1 ;;
	"kernel.kptr_restrict 2") echo 2 ;;
	# 1 is stricter than 2: it cannot be undone until the next boot
	"kernel.unprivileged_bpf_disabled 2") echo 1 ;;
	"kernel.unprivileged_bpf_disabled 1") echo 2 ;;
	# 0 runs BPF interpreted, 2 writes JIT images to the kernel log
	"net.core.bpf_jit_enable 1") echo 1 ;;
	esac
}
# the strength of the value the running kernel has, by the same scale (weaker values are 0)
sysctl_current_strength() { # NAME CURRENT
	local s
	case "$1" in
	kernel.perf_event_paranoid)
		s=$2
		if [ "$s" -gt 4 ]; then s=4; fi
		if [ "$s" -lt 0 ]; then s=0; fi
		;;
	kernel.kptr_restrict)
		s=$2
		if [ "$s" -gt 2 ]; then s=2; fi
		;;
	*) s=$(sysctl_strength "$1" "$2") ;;
	esac
	echo "${s:-0}"
}

cmd_set_sysctl() {
	local name=${1:-} value=${2:-} reason=""
	case "$name" in -h | --help) usage; exit 0 ;; esac
	[ $# -ge 2 ] || usage_err "usage: set-sysctl NAME VALUE --reason TEXT"
	shift 2
	while [ $# -gt 0 ]; do
		case "$1" in
		--reason) reason=${2:-}; shift 2 || shift ;;
		*) usage_err "set-sysctl: unknown argument '$1'" ;;
		esac
	done
	[ -n "$reason" ] || usage_err "set-sysctl needs --reason: every changed setting says why"
	case "$reason" in *[$'\n\r']*) usage_err "set-sysctl: the reason must be one line" ;; esac
	case "$name" in *[!a-z0-9_.]* | "") usage_err "'$name' is not a sysctl name" ;; esac
	# a plain decimal number: no sign, no leading zero, no spaces, at most 9 digits
	[[ "$value" =~ ^(0|[1-9][0-9]{0,8})$ ]] || usage_err "'$value' is not a plain decimal number (no sign, leading zero or spaces)"
	if [ "$name" = kernel.kptr_restrict ] && [ "$value" = 0 ]; then
		err "refusing kernel.kptr_restrict=0: it exposes kernel addresses to every user, and syscope never needs them (its helper loads with kptr_restrict=2)"
	fi
	case "$name" in
	kernel.perf_event_paranoid | kernel.kptr_restrict | kernel.unprivileged_bpf_disabled | net.core.bpf_jit_enable) ;;
	*) err "refusing $name: setup changes only kernel.perf_event_paranoid, kernel.kptr_restrict, kernel.unprivileged_bpf_disabled and net.core.bpf_jit_enable, and only to stricter values" ;;
	esac
	local want
	want=$(sysctl_strength "$name" "$value")
	[ -n "$want" ] || err "refusing $name=$value: it would weaken the kernel's protection, and syscope never needs that (see --help for the values setup sets)"
	local old cur
	old=$(cat "/proc/sys/$(echo "$name" | tr . /)" 2>/dev/null || true)
	[[ "$old" =~ ^-?[0-9]+$ ]] || err "cannot read the current $name from /proc/sys: not changing it blind"
	cur=$(sysctl_current_strength "$name" "$old")
	[ "$want" -ge "$cur" ] || err "refusing $name=$value: the running kernel has $old, which is stricter"

	# syscope's own file only: an administrator's file of the same name is never touched
	local conf="$ROOT$SYSCTL_CONF_REL" dir tmp
	dir=$(dirname "$conf")
	ensure_dir "$dir"
	safe_file "$conf" strict
	may_replace "$conf" written
	if [ "$DRY_RUN" -eq 1 ]; then
		printf '+ write %s: # %s / %s = %s\n' "$conf" "$reason" "$name" "$value"
	else
		tmp=$(mktemp -- "$dir/.60-syscope.conf.XXXXXX")
		STAGED=$tmp
		# keep the other settings, replace this one's line and the comment above it
		if [ -f "$conf" ]; then
			awk -v n="$name" '
				{ if (held != "") { if ($1 != n) print held; held = "" } }
				/^# / { held = $0; next }
				$1 != n { print }
				END { if (held != "") print held }' "$conf" >"$tmp"
		fi
		printf '# %s\n%s = %s\n' "$reason" "$name" "$value" >>"$tmp"
		chmod 0644 "$tmp"
		mv -fT -- "$tmp" "$conf"
		STAGED=""
		record_file "$conf"
	fi
	record sysctl "$name" "$old"
	if live_system; then run sysctl -q -w "$name=$value"; else say "--root: not applying $name to the running kernel"; fi
}

undo_line() {
	local kind a b c
	IFS=$'\t' read -r kind a b c <<<"$1"
	case "$kind" in
	file)
		[ -e "$a" ] || [ -L "$a" ] || return 0
		safe_file "$a"
		# an old manifest has no hash; a file changed since setup wrote it is someone else's now
		if [ -n "$b" ] && [ "$(hash_of "$a")" != "$b" ]; then
			say "$a changed since setup installed it: left in place"
			return 0
		fi
		run rm -f -- "$a"
		;;
	dir) if [ -d "$a" ] && [ ! -L "$a" ]; then run rmdir -- "$a" 2>/dev/null || true; fi ;;
	group)
		local prefix=()
		[ -n "$ROOT" ] && prefix=(--prefix "$ROOT")
		run groupdel "${prefix[@]}" "$a" || true
		;;
	member)
		local prefix=()
		[ -n "$ROOT" ] && prefix=(--prefix "$ROOT")
		run usermod "${prefix[@]}" -r -G "$b" "$a" || true
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
	safe_file "$m" strict
	local lines=() line i
	while IFS= read -r line; do [ -n "$line" ] && lines+=("$line"); done <"$m"
	for ((i = ${#lines[@]} - 1; i >= 0; i--)); do
		undo_line "${lines[$i]}"
	done
	run rm -f -- "$m"
	if [ -d "$ROOT/var/lib/syscope" ]; then run rmdir -- "$ROOT/var/lib/syscope" 2>/dev/null || true; fi
	say "reverted everything syscope's setup had done"
}

# a JSON string for any text: quotes, backslashes and control characters escaped
json_str() {
	local s=$1 out="" ch i code
	local LC_ALL=C
	for ((i = 0; i < ${#s}; i++)); do
		ch=${s:i:1}
		case "$ch" in
		'"') out+='\"' ;;
		\\) out+=\\\\ ;;
		*)
			printf -v code '%d' "'$ch"
			if [ "$code" -ge 0 ] && [ "$code" -lt 32 ] || [ "$code" -eq 127 ]; then
				printf -v ch '\\u%04x' "$code"
			fi
			out+=$ch
			;;
		esac
	done
	printf '"%s"' "$out"
}

cmd_status() {
	local json=0 dest="$ROOT$LIBEXEC_REL/syscope-helper" caps="" m installed=false tracefs=false
	case "${1:-}" in
	--json) json=1 ;;
	-h | --help) usage; exit 0 ;;
	"") ;;
	*) usage_err "status: unknown argument '$1'" ;;
	esac
	m=$(manifest)
	[ -f "$dest" ] && installed=true && caps=$(caps_of "$dest")
	[ -f "$ROOT/etc/udev/rules.d/99-tracefs.rules" ] && tracefs=true
	local entries=0
	[ -f "$m" ] && entries=$(grep -c . "$m" || true)
	if [ "$json" -eq 1 ]; then
		printf '{"helper_installed":%s,"helper_path":%s,"helper_caps":%s,"tracefs_setup":%s,"manifest_entries":%s}\n' \
			"$installed" "$(json_str "$dest")" "$(json_str "$caps")" "$tracefs" "$entries"
	else
		say "helper: $([ "$installed" = true ] && echo "$dest (${caps:-no capabilities})" || echo "not installed")"
		say "manifest: $entries entries"
	fi
}

main() {
	local cmd=""
	while [ $# -gt 0 ]; do
		case "$1" in
		--root)
			[ $# -ge 2 ] || usage_err "--root needs a directory"
			ROOT=$2
			[ -d "$ROOT" ] || usage_err "--root $ROOT is not a directory"
			# the image itself may be reached through a link; nothing inside it may be one
			ROOT=$(cd "$ROOT" && pwd -P)
			[ "$ROOT" = / ] && ROOT=""
			case "$ROOT" in *[$'\t\n\r']*) usage_err "--root: a path with tabs or line breaks is not supported" ;; esac
			shift 2
			;;
		--dry-run) DRY_RUN=1; shift ;;
		--uninstall | uninstall) cmd=uninstall; shift ;;
		-h | --help) usage; exit 0 ;;
		install-helper | install-tracefs | set-sysctl | status) cmd=$1; shift; break ;;
		*) usage_err "unknown argument '$1'" ;;
		esac
	done
	[ -n "$cmd" ] || usage_err "name a command: install-helper, install-tracefs, set-sysctl, status or --uninstall"
	if [ "$cmd" != status ] && [ "$DRY_RUN" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
		case " $* " in *" -h "* | *" --help "*) ;; *) err "run as root (the app runs it through pkexec for you)" ;; esac
	fi
	umask 022
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
