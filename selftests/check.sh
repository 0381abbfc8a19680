#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Everything `make check` does, in order:
#   1. the debug kernel (built once, then cached: selftests/vm/build-kernel.sh);
#   2. lint: checkpatch --strict and kernel-doc on the sources;
#   3. unit tests of the pure protocol code, in user space under ASan and UBSan,
#      and the selftest of tools/sttpeer (the Python peer) against wire.rst;
#   4. fuzz: each libFuzzer harness of selftests/fuzz/ for FUZZ_CHECK_SECONDS
#      (default 30) by selftests/fuzz.sh, one pass/fail per harness, with its
#      executions and coverage; a crash fails it and names its reproducer;
#   5. stt.ko built with W=1 against the stock 6.1 headers and the debug 6.12 tree,
#      where any warning is a failure;
#   6. the selftests in a guest on each kernel (selftests/vm/run.sh).
# Details go to build/*.log; the summary names every test that ran on each
# kernel.  The last line is "N passed, N failed"; the exit code is 0 only when
# nothing failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
B=$top/build
mkdir -p "$B"
start=$(date +%s)
passed=0
failed=0
summary=()

# count STAGE PASSED FAILED
count() {
	passed=$((passed + $2))
	failed=$((failed + $3))
	summary+=("$(printf '%-34s %4d passed, %d failed' "$1" "$2" "$3")")
}

# check STAGE NAME COMMAND...: one pass/fail item, its output in build/STAGE.log.
check() {
	local stage=$1 name=$2
	shift 2
	if "$@" >>"$B/$stage.log" 2>&1; then
		echo "ok - $stage: $name"
		return 0
	fi
	echo "not ok - $stage: $name (see build/$stage.log)"
	tail -15 "$B/$stage.log" | sed 's/^/#   /'
	return 1
}

# tap STAGE FILE: add the TAP results in FILE to the totals.
tap() {
	local p f
	p=$(grep -cE '^ok [0-9]+' "$2")
	f=$(grep -cE '^not ok [0-9]+' "$2")
	grep -E '^(not )?ok [0-9]+' "$2" | sed "s|^|  $1: |"
	count "$1" "$p" "$f"
}

echo "== debug kernel"
if kdir=$(selftests/vm/build-kernel.sh); then
	dkver=$(cat "$kdir/kver")
	echo "ok - debug kernel $dkver ($kdir)"
	count "debug kernel build" 1 0
else
	echo "not ok - debug kernel build"
	kdir=
	count "debug kernel build" 0 1
fi
harness=$(selftests/harness.sh) || { echo "not ok - kselftest harness"; count harness 0 1; }

stock=$(ls /lib/modules | grep -E '^6\.1\.[0-9]+-[0-9]+-amd64$' | sort -V | tail -n 1)

echo "== lint"
: >"$B/lint.log"
p=0 f=0
if [ -n "$kdir" ]; then
	src=$kdir/src
	for file in kernel/*.[ch] uapi/linux/stt.h selftests/stt/*.[ch] selftests/unit/*.c \
		selftests/fuzz/*.[ch] tools/*.c; do
		if check lint "checkpatch --strict $file" "$src/scripts/checkpatch.pl" \
			--strict --no-tree --quiet --show-types -f "$file"; then
			p=$((p + 1))
		else
			f=$((f + 1))
		fi
	done
	if check lint "kernel-doc on every non-static function and the uapi" \
		selftests/kdoc.sh "$src/scripts/kernel-doc"; then
		p=$((p + 1))
	else
		f=$((f + 1))
	fi
else
	f=1
fi
count lint $p $f

echo "== unit tests (user space, ASan + UBSan)"
: >"$B/unit.log"
mkdir -p "$B/unit"
# A kernel/ file with no <...> include is pure: it builds in user space too.
pure=$(grep -L '#include <' kernel/*.c)
ucflags=(-std=gnu11 -g -O1 -Wall -Werror -D_GNU_SOURCE -fsanitize=address,undefined
	-fno-sanitize-recover=all -fno-omit-frame-pointer -Iuapi -Ikernel -I"$harness")
for t in selftests/unit/*_test.c; do
	name=$(basename "$t" .c)
	if check unit "build $name" gcc "${ucflags[@]}" -o "$B/unit/$name" "$t" $pure; then
		(cd "$B/unit" && ./"$name") >"$B/unit/$name.tap" 2>&1
		tap "unit/$name" "$B/unit/$name.tap"
	else
		count "unit/$name" 0 1
	fi
done

# The Python peer of the interop tests checks itself against wire.rst's vectors.
if check unit "sttpeer selftest (wire.rst vectors, HKDF, loopback session)" \
	/usr/bin/python3 tools/sttpeer/sttpeer.py selftest; then
	count "unit/sttpeer" 1 0
else
	count "unit/sttpeer" 0 1
fi

fuzz_secs=${FUZZ_CHECK_SECONDS:-30}
echo "== fuzz (libFuzzer, ASan + UBSan, $fuzz_secs s per harness)"
# fuzz.sh prints "ok - NAME: N executions, cov: N ft: N in S s" or "not ok"
# with the reproducer's path on a "#   reproducer:" line.
selftests/fuzz.sh "$fuzz_secs" >"$B/fuzz.log" 2>&1
grep -E '^(not )?ok - |^#' "$B/fuzz.log" | sed 's/^/  fuzz: /'
p=$(grep -c '^ok - ' "$B/fuzz.log")
f=$(grep -c '^not ok - ' "$B/fuzz.log")
[ "$p$f" = 00 ] && f=1	# fuzz.sh said nothing: see build/fuzz.log
count fuzz "$p" "$f"

echo "== module builds (W=1, zero warnings)"
: >"$B/build.log"
ok61=0 ok612=0
if [ -n "$stock" ] && check build "stt.ko for $stock" selftests/build-module.sh mod-6.1 "/lib/modules/$stock/build"; then
	ok61=1
fi
if [ -n "$kdir" ] && check build "stt.ko for $dkver (debug)" selftests/build-module.sh mod-6.12 "$kdir/build"; then
	ok612=1
fi
count "module builds" $((ok61 + ok612)) $((2 - ok61 - ok612))

echo "== selftest programs"
: >"$B/selftests.log"
mkdir -p "$B/selftests"
tests=()
p=0 f=0
for t in selftests/stt/*_test.c; do
	name=$(basename "$t" .c)
	if check selftests "build $name" gcc -std=gnu11 -O2 -Wall -Werror -D_GNU_SOURCE \
		-Iuapi -I"$harness" -o "$B/selftests/$name" "$t" -lpthread; then
		tests+=("$B/selftests/$name")
		p=$((p + 1))
	else
		f=$((f + 1))
	fi
done
count "selftest builds" $p $f

# vm LABEL BZIMAGE KVER KO: the selftests in a guest.
vm() {
	local label=$1 log=$B/vm-$1.log line
	echo "== selftests on the $1 kernel ($3)"
	selftests/vm/run.sh -k "$2" -r "$3" -o "$B/vm-$1" -m "$4" "${tests[@]}" >"$log" 2>&1
	sed 's/^/  /' "$log"
	line=$(grep -E '^vm: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		count "selftests on $label" 0 1
		return
	fi
	set -- $line
	count "selftests on $label" "$2" "$4"
}

if [ "$ok61" = 1 ]; then
	vm stock-6.1 "/boot/vmlinuz-$stock" "$stock" "$B/mod-6.1/stt.ko"
else
	count "selftests on stock-6.1" 0 1
fi
if [ "$ok612" = 1 ]; then
	vm debug-6.12 "$kdir/bzImage" "$dkver" "$B/mod-6.12/stt.ko"
else
	count "selftests on debug-6.12" 0 1
fi

echo
echo "== summary ($(( $(date +%s) - start )) s)"
printf '  %s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
