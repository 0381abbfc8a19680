#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel under qemu (2 vCPUs, software emulation), load stt.ko, run test
# programs, and judge the run.
#
#   run.sh -k BZIMAGE -r KERNELRELEASE -o OUTDIR -m STT_KO [-t SECONDS] TEST...
#
# The host's root is shared read-only into the guest, so TEST paths are host
# paths.  Each test's output (TAP) lands in OUTDIR/<test>.tap.  The run fails
# if a test fails, the guest does not finish within the time limit, or the guest
# kernel log holds a KASAN, UBSAN, lockdep, kmemleak, WARN, BUG, Oops, RCU stall
# or hung task report.
# The last line printed is "vm: N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
timeout=5000
kernel= kver= out= ko=
while getopts k:r:o:m:t: opt; do
	case $opt in
	k) kernel=$(realpath "$OPTARG") ;;
	r) kver=$OPTARG ;;
	o) out=$OPTARG ;;
	m) ko=$(realpath "$OPTARG") ;;
	t) timeout=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$kernel" ] && [ -n "$kver" ] && [ -n "$out" ] && [ -n "$ko" ] || { echo "usage: $0 -k BZIMAGE -r KVER -o OUTDIR -m STT_KO TEST..." >&2; exit 2; }

rm -rf "$out"
mkdir -p "$out/initramfs"
out=$(realpath "$out")

# --- initramfs: busybox, our /init, and the modules needed to reach the host root.
ird=$out/initramfs
mkdir -p "$ird"/{bin,proc,sys,dev,modules}
cp /bin/busybox "$ird/bin/busybox"
cp "$here/initramfs-init" "$ird/init"
: >"$ird/modules.list"
if [ -d "/lib/modules/$kver/kernel" ]; then
	for m in virtio_pci 9pnet_virtio 9p overlay; do
		modprobe -S "$kver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++' | while read -r path; do
		cp "$path" "$ird/modules/"
		basename "$path" >>"$ird/modules.list"
	done
fi
(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initramfs.gz"

# --- module index: depmod runs here, natively, over a tree whose kernel/ is the
# kernel's own; the guest copies only the index files.  (depmod inside the
# emulated guest would walk thousands of modules over 9p: minutes.)
mods=$out/modroot/lib/modules/$kver
mkdir -p "$mods/extra"
if [ -d "/lib/modules/$kver/kernel" ]; then
	ln -s "/lib/modules/$kver/kernel" "$mods/kernel"
	cp /lib/modules/"$kver"/modules.{order,builtin,builtin.modinfo} "$mods/"
else
	touch "$mods"/modules.{order,builtin,builtin.modinfo}
fi
cp "$ko" "$mods/extra/stt.ko"
depmod -b "$out/modroot" "$kver"

# --- the job the guest runs after switching root.
{
	echo "#!/bin/bash"
	printf 'export STT_KO=%q STT_OUT=/stt-out STT_MODS=%q\n' "$ko" "$mods"
	printf 'STT_TESTS=('
	for t in "$@"; do printf '%q ' "$(realpath "$t")"; done
	printf ')\n'
	printf 'source %q\n' "$here/guest.sh"
} >"$out/job.sh"

start=$(date +%s)
rc=0
timeout -k 10 "$timeout" qemu-system-x86_64 \
	-m 2048 -smp 2 -no-reboot -display none -monitor none \
	-serial "file:$out/console.log" \
	-kernel "$kernel" -initrd "$out/initramfs.gz" \
	-append "console=ttyS0 panic=-1 oops=panic loglevel=4" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$out,mount_tag=sttout,security_model=none" \
	</dev/null || rc=$?
echo "vm: guest ran $(( $(date +%s) - start )) s (kernel $kver)"

passed=0 failed=0
fail() { echo "not ok - $1"; failed=$((failed + 1)); }

if [ $rc = 124 ] || [ $rc = 137 ]; then
	fail "guest finished within ${timeout}s"
elif [ ! -f "$out/done" ]; then
	fail "guest ran every test and shut down cleanly (qemu exit $rc)"
fi

for t in "$@"; do
	name=$(basename "$t")
	if [ ! -f "$out/$name.rc" ]; then
		fail "$name ran"
		continue
	fi
	trc=$(cat "$out/$name.rc")
	# Each test is a kselftest harness binary: count its own TAP lines.
	p=$(grep -cE '^ok [0-9]+' "$out/$name.tap" || true)
	f=$(grep -cE '^not ok [0-9]+' "$out/$name.tap" || true)
	grep -E '^(not )?ok [0-9]+' "$out/$name.tap" | sed "s/^/$name: /" || true
	[ -f "$out/$name.secs" ] && echo "$name: ran $(cat "$out/$name.secs") s"
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$trc" != 0 ] && [ "$f" = 0 ]; then
		fail "$name exited $trc"
		tail -20 "$out/$name.tap"
	fi
done

# Reports from the kernel's checkers anywhere in the guest's log fail the run.
bad='BUG:|KASAN|UBSAN|WARNING:|INFO: possible|possible circular locking|possible recursive locking|inconsistent lock state|Oops|general protection|kernel BUG|unreferenced object|Kernel panic|ODEBUG|list_add corruption|list_del corruption|refcount_t:|detected stall|blocked for more than'
cat "$out/console.log" "$out/dmesg.txt" 2>/dev/null | tr -d '\r' >"$out/kernel.log"
if grep -qE "$bad" "$out/kernel.log"; then
	fail "guest kernel log is free of checker reports"
	grep -nE -A25 "$bad" "$out/kernel.log" | head -80
else
	passed=$((passed + 1))
	echo "ok - guest kernel log is free of checker reports"
fi
if [ -s "$out/kmemleak.txt" ]; then
	fail "kmemleak found no leak"
	head -60 "$out/kmemleak.txt"
fi

echo "vm: $passed passed, $failed failed"
[ "$failed" = 0 ]
