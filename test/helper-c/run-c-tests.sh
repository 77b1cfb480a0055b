#!/bin/sh
# Runs each C test binary (plain and ASan/UBSan builds) and prints one `N passed, N failed` line.
set -u
dir=$1
shift
passed=0
failed=0
for t in "$@"; do
	for variant in "$t" "$t-asan"; do
		out=$("$dir/$variant" 2>&1)
		rc=$?
		printf '%s\n' "$out" | sed "s/^/[$variant] /"
		p=$(printf '%s\n' "$out" | grep -c '^ok ')
		f=$(printf '%s\n' "$out" | grep -c '^not ok ')
		# a crash (sanitizer report, signal) fails even if every check printed ok
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
		passed=$((passed + p))
		failed=$((failed + f))
	done
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
