#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# seeds.sh OUTDIR: the seed corpus of codec_fuzz, from the test vectors of
# Documentation/wire.rst.  One file per vector-NAME block, named NAME, holding
# its bytes; then whole datagrams built from them (a header and frames), so
# that the fuzzer starts from packets the receiver takes whole.  Generated at
# build time, so that the corpus follows the document and no binary file is
# kept in the repository.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$1
mkdir -p "$out"

# The hex of every block, one "NAME HEX..." line per vector: a block is a
# ".. code-block:: none" line, ":name: vector-NAME", a blank line, then
# indented lines of hex up to the next blank or unindented line.
awk '
	state == 0 && $0 ~ /^\.\. code-block:: none$/ { state = 1; next }
	state == 1 && $1 == ":name:" && $2 ~ /^vector-/ {
		name = substr($2, 8); hex = ""; state = 2; next
	}
	state == 1 { state = 0; next }
	state == 2 { state = ($0 == "") ? 3 : 0; next }
	state == 3 && /^[ \t]+[0-9a-f]/ { hex = hex " " $0; next }
	state == 3 {
		print name, hex; state = 0
		if ($0 ~ /^\.\. code-block:: none$/)
			state = 1
	}
	END { if (state == 3) print name, hex }
' "$top/Documentation/wire.rst" >"$out/.vectors"

while read -r name hex; do
	bytes=
	for b in $hex; do
		bytes+="\\x$b"
	done
	printf '%b' "$bytes" >"$out/$name"
done <"$out/.vectors"
rm -f "$out/.vectors"

# packet NAME VECTOR...: the concatenation of the vectors as the file NAME;
# a vector missing from wire.rst fails the script.
packet() {
	local name=$1
	shift
	cat "${@/#/$out/}" >"$out/$name"
}

packet pkt-hello hdr-handshake hello padding padding padding
packet pkt-hello-cookie hdr-handshake hello cookie padding
packet pkt-challenge hdr-handshake challenge
packet pkt-auth hdr-handshake auth-proof
packet pkt-reject hdr-handshake reject
packet pkt-final hdr-protected final ack-one-range
packet pkt-stream hdr-protected stream-open data stream-fin ack-two-ranges
packet pkt-control hdr-protected nack-two-ranges window-update keepalive \
	keepalive-ack key-update stream-reset padding
packet pkt-close hdr-protected ack-one-range session-close
packet pkt-all hdr-protected ack-two-ranges nack-two-ranges stream-open data \
	stream-fin stream-reset window-update keepalive keepalive-ack \
	session-close key-update final padding
