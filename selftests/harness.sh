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
	# A directory of its own: two runs at once must not share one.
	tmp=$(mktemp -d "$dir.XXXXXX")
	tar -xJf "$tarball" -C "$tmp" --strip-components=4 \
		linux-source-6.12/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.12/tools/testing/selftests/kselftest.h
	# Another run may have finished first: its copy is as good.
	mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
fi
echo "$dir"
