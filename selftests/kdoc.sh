#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kdoc.sh KERNEL_DOC: fail unless every kernel-doc comment in kernel/ and uapi/
# is well formed (scripts/kernel-doc -none -Wall prints nothing) and every
# non-static function defined in kernel/ has one.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
rc=0

out=$("$1" -none -Wall kernel/*.c kernel/*.h uapi/linux/stt.h 2>&1)
if [ -n "$out" ]; then
	echo "$out"
	rc=1
fi

# A definition starts in column 0 with a type, is not static and is followed
# by a line with the opening brace.
for f in kernel/*.c; do
	awk -v file="$f" '
		/^[a-z].*\<stt_[a-z0-9_]+\(/ && !/^static/ && !/;$/ {
			match($0, /stt_[a-z0-9_]+\(/)
			name = substr($0, RSTART, RLENGTH - 1)
			if (!(name in doc))
				printf "%s:%d: %s() has no kernel-doc comment\n", file, NR, name
		}
		/^ \* stt_[a-z0-9_]+\(\) - / {
			match($0, /stt_[a-z0-9_]+/)
			doc[substr($0, RSTART, RLENGTH)] = 1
		}
	' "$f"
done | grep . && rc=1
exit $rc
