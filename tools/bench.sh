#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: STT's speed as ratios against TCP and kTLS, measured in one
# guest run.  Not a test.  Builds stt.ko and build/stt-bench (tools/stt-bench.c),
# boots Debian's stock 6.1 kernel in QEMU (software emulation), runs stt-bench
# there and prints its figures and ratios; about three minutes.
#
#   BENCH_ARGS="-t 10 -w bulk"   arguments for stt-bench (see stt-bench -h)
#   BENCH_KERNEL=debug           the debug 6.12 kernel of `make check` instead
#                                (built first if not cached, ~15 min): about
#                                50 times slower, the figures only for curiosity
#   BENCH_PROFILE=1              (`make profile`) run stt-bench under
#                                `perf record -a -g` in the guest (BENCH_ARGS
#                                default to one STT bulk run) and write the top
#                                symbols to build/profile-top.txt and a flame
#                                graph to build/profile.svg
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

case ${BENCH_KERNEL:-stock} in
stock)
	kver=$(cd /lib/modules && printf '%s\n' 6.1.* | grep -E '^6\.1\.[0-9]+-[0-9]+-amd64$' | sort -V | tail -n 1) || {
		echo "bench: no Debian 6.1 kernel under /lib/modules (make deps)" >&2
		exit 1
	}
	kernel=/boot/vmlinuz-$kver
	kdir=/lib/modules/$kver/build
	name=stock
	;;
debug)
	dir=$(selftests/vm/build-kernel.sh)
	kver=$(cat "$dir/kver")
	kernel=$dir/bzImage
	kdir=$dir/build
	name=debug
	;;
*)
	echo "bench: BENCH_KERNEL is stock (the default) or debug" >&2
	exit 2
	;;
esac

echo "bench: building stt.ko for $kver and stt-bench"
ko=$(selftests/build-module.sh "$name" "$kdir") || {
	echo "bench: stt.ko did not build (build/$name.log):"
	echo "$ko"
	exit 1
}
mkdir -p build
gcc -std=gnu11 -O2 -Wall -Werror -D_GNU_SOURCE -Iuapi -o build/stt-bench tools/stt-bench.c -lpthread

profile=${BENCH_PROFILE:-0}
defargs=
if [ "$profile" = 1 ]; then
	[ "$name" = stock ] || {
		echo "bench: profiles are taken on the stock kernel, whose perf Debian ships" >&2
		exit 2
	}
	command -v perf >/dev/null || {
		echo "bench: perf is missing (make deps installs linux-perf)" >&2
		exit 1
	}
	defargs="-t 5 -L -w bulk -T stt"
fi

# The program the guest runs: stt-bench, then one TAP line for run.sh to count.
read -ra args <<<"${BENCH_ARGS:-$defargs}"
guest=build/bench-guest.sh
{
	echo '#!/bin/bash'
	echo '# Written by tools/bench.sh: runs stt-bench in the guest.'
	if [ "$profile" = 1 ]; then
		printf 'perf record -q -a -g -F 999 -o /stt-out/perf.data -- '
	fi
	printf '%q' "$top/build/stt-bench"
	[ ${#args[@]} = 0 ] || printf ' %q' "${args[@]}"
	echo
	echo 'rc=$?'
	if [ "$profile" = 1 ]; then
		# Read in the same boot: kernel addresses move with KASLR.
		echo 'perf script -i /stt-out/perf.data -F comm,cpu,ip,sym >/stt-out/perf.script 2>/dev/null'
	fi
	cat <<'SH'
if [ $rc = 0 ]; then echo "ok 1 - stt-bench"; else echo "not ok 1 - stt-bench exited $rc"; fi
exit $rc
SH
} >"$guest"
chmod +x "$guest"

out=build/vm-bench
[ "$name" = stock ] || out=build/vm-bench-$name
log=$out.log
echo "bench: booting $kver in qemu (software emulation), log in $log"
rc=0
selftests/vm/run.sh -k "$kernel" -r "$kver" -o "$out" -m "$ko" -t 1200 "$guest" >"$log" 2>&1 || rc=$?
grep -E '^vm: guest ran' "$log" || true
echo
if [ -f "$out/bench-guest.sh.tap" ]; then
	grep -vE '^(not )?ok [0-9]+' "$out/bench-guest.sh.tap" || true
else
	cat "$log"
fi
echo
if [ $rc != 0 ]; then
	echo "bench: the guest reported a problem:"
	cat "$log"
	exit 1
fi
if [ "$profile" = 1 ]; then
	if ! [ -s "$out/perf.script" ] ||
	   ! python3 tools/flamegraph.py "$out/perf.script" build/profile.svg build/profile-top.txt; then
		echo "bench: no profile came back (guest log: $log)"
		exit 1
	fi
	head -n 25 build/profile-top.txt
	echo "bench: profile in build/profile-top.txt and build/profile.svg"
fi
echo "bench: done (guest kernel $kver, guest log: $out/kernel.log)"
