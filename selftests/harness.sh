#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print a directory holding kselftest_harness.h and kselftest.h, taken from
# Debian's linux-source-6.12 package (cached in $STT_CACHE, keyed on the package
# version).  The harness is never copied into the repository.
set -euo pipefail
cache=${STT_CACHE:-/var/cache/stt}
# Without root, the user's own cache.
mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] || cache=${XDG_CACHE_HOME:-$HOME/.cache}/stt
tarball=/usr/src/linux-source-6.12.tar.xz
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
dir=$cache/kselftest-$srcver
if [ ! -f "$dir/kselftest_harness.h" ]; then
	mkdir -p "$dir.tmp"
	tar -xJf "$tarball" -C "$dir.tmp" --strip-components=4 \
		linux-source-6.12/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.12/tools/testing/selftests/kselftest.h
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
fi
echo "$dir"
