#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian 12 packages that building, testing and the demo need, when
# any is missing.  Safe to run again: it does nothing when all are present.
set -euo pipefail
pkgs=(
	build-essential perl python3 kmod cpio xz-utils gzip iproute2
	linux-image-amd64 linux-headers-amd64 linux-source-6.12
	qemu-system-x86 busybox-static
	flex bison bc libelf-dev libssl-dev dwarves
	clang libfuzzer-14-dev
	python3-cryptography linux-perf
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} = 0 ] && exit 0

sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
echo "deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
