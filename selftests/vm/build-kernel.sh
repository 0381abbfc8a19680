#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) the debug kernel the selftests run on, from Debian's linux-source-6.12,
# and print the directory that holds it.  The result is cached outside the work tree,
# in $STT_CACHE (default /var/cache/stt), under a key made of everything that decides
# the build: the source package version, the compiler, debug.config and the recipe
# version below (bump it when the build steps change).  A second call with the same
# inputs prints the cached directory at once.
#
# The directory holds:  bzImage   the kernel
#                       build/    the build tree (modules are built against it)
#                       kver      the kernel release string
#                       src       link to the unpacked source (checkpatch, kernel-doc)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${STT_CACHE:-/var/cache/stt}
# Without root, the user's own cache.
mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] || cache=${XDG_CACHE_HOME:-$HOME/.cache}/stt
tarball=/usr/src/linux-source-6.12.tar.xz
frag=$here/debug.config

[ -f "$tarball" ] || { echo "build-kernel: $tarball missing (apt-get install linux-source-6.12)" >&2; exit 1; }

recipe=1
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
key=$( { echo "recipe $recipe $srcver"; gcc --version | head -1; cat "$frag"; } | sha256sum | cut -c1-16)
out=$cache/kernel-6.12-$key

if [ -f "$out/done" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/kernel.lock"
flock 9
if [ -f "$out/done" ]; then echo "$out"; exit 0; fi

log=$cache/kernel-6.12-$key.log
echo "build-kernel: building the debug kernel into $out (log: $log)" >&2
rm -rf "$out"
mkdir -p "$out"
src=$cache/linux-source-6.12-$srcver
if [ ! -f "$src/.unpacked" ]; then
	rm -rf "$src"
	mkdir -p "$src"
	tar -xJf "$tarball" -C "$src" --strip-components=1
	touch "$src/.unpacked"
fi

b=$out/build
{
	make -C "$src" O="$b" tinyconfig kvm_guest.config
	"$src/scripts/kconfig/merge_config.sh" -m -O "$b" "$b/.config" "$frag"
	make -C "$src" O="$b" olddefconfig
} >"$log" 2>&1

# Every option of the fragment must have survived olddefconfig.
missing=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=*) ;; *) continue ;; esac
	opt=${line%%=*}
	val=${line#*=}
	if [ "$val" = n ]; then
		grep -qx "# $opt is not set" "$b/.config" || grep -q "^$opt=" "$b/.config" && \
			! grep -q "^$opt=[ym]" "$b/.config" || { echo "build-kernel: $opt should be off" >&2; missing=1; }
	else
		grep -qx "$line" "$b/.config" || { echo "build-kernel: $line did not stick" >&2; missing=1; }
	fi
done <"$frag"
[ "$missing" = 0 ] || exit 1

make -C "$src" O="$b" -j"$(nproc)" bzImage modules >>"$log" 2>&1 || {
	tail -40 "$log" >&2
	exit 1
}
# Builds for other inputs are superseded; each takes gigabytes.
for old in "$cache"/kernel-6.12-*; do
	[ "$old" = "$out" ] || [ "$old" = "$log" ] || rm -rf "$old"
done
cp "$b/arch/x86/boot/bzImage" "$out/bzImage"
make -s -C "$src" O="$b" kernelrelease >"$out/kver"
ln -sfn "$src" "$out/src"
touch "$out/done"
echo "$out"
