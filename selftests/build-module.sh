#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-module.sh NAME KDIR: build stt.ko with W=1 against the kernel build tree
# KDIR, in build/NAME (a copy of the sources, so that objects for different
# kernels never mix).  The compiler output goes to build/NAME.log; any warning
# fails the build.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/$1
rm -rf "$out"
mkdir -p "$out"
cp -r "$top/Kbuild" "$top/kernel" "$top/uapi" "$out/"
if ! make -C "$2" M="$out" W=1 modules >"$out.log" 2>&1; then
	tail -30 "$out.log"
	exit 1
fi
if grep -E 'warning:|error:' "$out.log"; then
	exit 1
fi
echo "$out/stt.ko"
