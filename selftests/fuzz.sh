#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fuzz.sh [SECONDS [NAME...]]: build every libFuzzer harness of
# selftests/fuzz/ into build/fuzz/ with clang, ASan and UBSan, linked with the
# pure kernel/ files, and run each in turn for SECONDS (default 30); with
# NAMEs (codec, ranges, reorder, replay), only those harnesses.  A harness passes when it ran
# its time without a crash; per harness the executions and the coverage
# libFuzzer reports (cov: edges, ft: features) are printed.  The last line is
# "N passed, N failed"; the exit code is 0 only when nothing failed.
#
# The corpus of each harness grows in build/fuzz/corpus/NAME across runs; the
# seeds of codec_fuzz are made from Documentation/wire.rst by seeds.sh into
# build/fuzz/seeds/codec.  A crash leaves its input in build/fuzz/NAME-crash-*
# (or -leak-, -timeout-, -oom-), replayed by build/fuzz/NAME_fuzz FILE;
# details go to build/fuzz/NAME_fuzz.log.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
secs=${1:-30}
if ! [[ $secs =~ ^[1-9][0-9]*$ ]]; then
	echo "usage: $0 [SECONDS [NAME...]]" >&2
	exit 2
fi
shift $(($# > 0 ? 1 : 0))
srcs=()
for name in "$@"; do
	if ! [ -f "selftests/fuzz/${name}_fuzz.c" ]; then
		echo "$0: no harness selftests/fuzz/${name}_fuzz.c" >&2
		exit 2
	fi
	srcs+=("selftests/fuzz/${name}_fuzz.c")
done
[ ${#srcs[@]} -gt 0 ] || srcs=(selftests/fuzz/*_fuzz.c)
B=$top/build/fuzz
mkdir -p "$B/corpus"
passed=0
failed=0

probe='int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }'
if ! clang -fsanitize=fuzzer -x c -o /dev/null - <<<"$probe" 2>/dev/null; then
	echo "not ok - clang -fsanitize=fuzzer fails: run selftests/deps.sh"
	echo "0 passed, 1 failed"
	exit 1
fi

# Made afresh each run, so that the seeds follow wire.rst.
rm -rf "$B/seeds"
if ! selftests/fuzz/seeds.sh "$B/seeds/codec"; then
	echo "not ok - seed corpus from Documentation/wire.rst"
	failed=$((failed + 1))
fi

# A kernel/ file with no <...> include is pure: it builds in user space too.
pure=$(grep -L '#include <' kernel/*.c)
cflags=(-std=gnu11 -g -O1 -Wall -Werror -D_GNU_SOURCE
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
	-fno-omit-frame-pointer -Iuapi -Ikernel)

for src in "${srcs[@]}"; do
	name=$(basename "$src" .c)
	short=${name%_fuzz}
	log=$B/$name.log
	if ! clang "${cflags[@]}" -o "$B/$name" "$src" $pure >"$log" 2>&1; then
		echo "not ok - $name: build (see build/fuzz/$name.log)"
		sed 's/^/#   /' "$log" | tail -15
		failed=$((failed + 1))
		continue
	fi

	mkdir -p "$B/corpus/$short"
	dirs=("$B/corpus/$short")
	[ -d "$B/seeds/$short" ] && dirs+=("$B/seeds/$short")
	# New inputs go to the first directory only: the seeds stay as made.
	"$B/$name" -max_total_time="$secs" -print_final_stats=1 -timeout=20 \
		-artifact_prefix="$B/$short-" "${dirs[@]}" >>"$log" 2>&1
	rc=$?

	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
		tail -n 1)
	cov=$(grep -E ' cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1 |
		sed -E 's/.* (cov: [0-9]+ ft: [0-9]+).*/\1/')
	stats="${execs:-?} executions, ${cov:-no coverage reported}"
	if [ "$rc" = 0 ] && grep -qE '^Done [0-9]+ runs' "$log"; then
		echo "ok - $name: $stats in $secs s"
		passed=$((passed + 1))
	else
		echo "not ok - $name: exit $rc, $stats" \
			"(see build/fuzz/$name.log)"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|selftests/fuzz/)' "$log" |
			head -n 5 | sed 's/^/#   /'
		sed -n 's/.*Test unit written to /#   reproducer: /p' "$log"
		failed=$((failed + 1))
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
