#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: build stt.ko and the stt tool for Debian's stock 6.1 kernel, boot
# that kernel in a QEMU guest, and run tools/demo-guest.sh there: one host, then
# two hosts (network namespaces) opening sessions, then sending on several
# streams of one session at once.  Needs no KVM; about a minute.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
stock=$(ls /lib/modules | grep -E '^6\.1\.[0-9]+-[0-9]+-amd64$' | sort -V | tail -n 1)
echo "demo: building stt.ko for $stock"
ko=$(selftests/build-module.sh mod-6.1 "/lib/modules/$stock/build")
mkdir -p build/tools
gcc -std=gnu11 -O2 -Wall -Werror -Iuapi -o build/tools/stt tools/stt.c
echo "demo: booting $stock in qemu (software emulation)"
rc=0
selftests/vm/run.sh -k "/boot/vmlinuz-$stock" -r "$stock" -o build/demo -m "$ko" \
	-t 300 tools/demo-guest.sh >build/demo.log 2>&1 || rc=$?
echo
cat build/demo/demo-guest.sh.tap 2>/dev/null || { cat build/demo.log; exit 1; }
echo
[ $rc = 0 ] && echo "demo: done (guest log: build/demo/kernel.log)" || {
	echo "demo: the guest reported a problem:"
	cat build/demo.log
	exit 1
}
