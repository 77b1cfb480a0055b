#!/bin/sh
# Runs a libFuzzer harness over the seed inputs and a corpus kept in the build folder, with the
# limits given (e.g. -runs=30000, or -max_total_time=300), and prints one `N passed, N failed`
# line as run-c-tests.sh does. A crash leaves its input beside the corpus (crash-*).
#   run-fuzz.sh FUZZER SEEDS_DIR CORPUS_DIR [libFuzzer options]
set -eu

main() {
	fuzzer=$1
	seeds=$2
	corpus=$3
	shift 3
	name=$(basename "$fuzzer")
	mkdir -p "$corpus"
	cp "$seeds"/* "$corpus"/
	if out=$("$fuzzer" -artifact_prefix="$(dirname "$corpus")/" -print_final_stats=0 "$@" "$corpus" 2>&1); then
		runs=$(printf '%s\n' "$out" | sed -n 's/^Done \([0-9]*\) runs.*/\1/p')
		echo "ok 1 $name: ${runs:-?} inputs, no crash and no broken invariant"
		echo "1 passed, 0 failed"
	else
		printf '%s\n' "$out" | grep -v '^#' | tail -n 40 | sed "s/^/[$name] /"
		echo "not ok 1 $name: a crash or broken invariant (input saved as $(dirname "$corpus")/crash-*)"
		echo "0 passed, 1 failed"
		return 1
	fi
}

main "$@"
