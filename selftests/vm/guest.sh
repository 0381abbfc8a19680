#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test guest (started by /stt-out/job.sh, which sets STT_KO,
# STT_OUT and the test list).  Installs stt.ko where modprobe finds it, runs each
# test with a time limit, records its output and exit code under $STT_OUT, then
# unloads the module, asks kmemleak for a final scan, saves the kernel log and
# reboots (qemu runs with -no-reboot, so that ends the guest).
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

# / is the host's root under a tmpfs overlay, so /tmp stays the host's (the
# repository may live there) while writes land in the overlay.
mkdir -p /run /dev/pts
mount -t tmpfs tmpfs /run
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
hostname stt-guest
ip link set lo up

kver=$(uname -r)
echo "stt-guest: kernel $kver"
mkdir -p "/lib/modules/$kver/extra"
cp "$STT_MODS"/modules.* "/lib/modules/$kver/"
cp "$STT_KO" "/lib/modules/$kver/extra/stt.ko"

kmemleak=/sys/kernel/debug/kmemleak
[ -w $kmemleak ] && echo clear >$kmemleak

if ! modprobe stt; then
	echo "stt-guest: modprobe stt failed"
fi

for t in "${STT_TESTS[@]}"; do
	name=$(basename "$t")
	echo "stt-guest: running $name"
	cd "$(dirname "$t")" || exit 1
	# A program's own test cases have their timeouts; this only stops a
	# program that hangs outright (loss_test needs ~20 min under KASAN).
	# Line-buffered, so that each line can be stamped with the seconds since
	# the program started: $name.times tells where make check's time goes.
	SECONDS=0
	timeout -k 5 "${STT_TEST_TIMEOUT:-3600}" stdbuf -oL -eL "$t" 2>&1 |
		while IFS= read -r line; do
			printf '%s\n' "$line"
			printf '%5d %s\n' "$SECONDS" "$line" >>"$STT_OUT/$name.times"
		done >"$STT_OUT/$name.tap"
	echo "${PIPESTATUS[0]}" >"$STT_OUT/$name.rc"
	echo "$SECONDS" >"$STT_OUT/$name.secs"
	echo "stt-guest: $name took $SECONDS s"
	cat "$STT_OUT/$name.tap"
done

# Leaks are only visible once the module is gone and kmemleak has looked twice
# (it reports an object on the second scan that still finds no reference).
modprobe -r stt 2>/dev/null
if [ -w $kmemleak ]; then
	echo scan >$kmemleak
	sleep 6
	echo scan >$kmemleak
	cat $kmemleak >"$STT_OUT/kmemleak.txt"
fi
dmesg >"$STT_OUT/dmesg.txt"
touch "$STT_OUT/done"
sync
reboot -f
