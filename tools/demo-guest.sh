#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the demo guest: shows that stt.ko is loaded and that AF_STT
# sockets work, then two hosts (network namespaces) opening sessions, then
# several streams of one session running at once, checked end to end.
set -u
say() { printf '\n\033[1m%s\033[0m\n' "$*"; }

say "# The module, loaded by modprobe:"
lsmod | grep -E '^(Module|stt) '
modinfo -F description stt
dmesg | grep -E 'stt: STT loaded'

say "# The protocol, registered with the socket layer (/proc/net/protocols):"
grep -E '^(protocol|STT) ' /proc/net/protocols | cut -c1-40

say "# A first STT socket, from Python:"
python3 - <<'PY'
import errno, socket, struct
AF_STT = 25
for kind in ("SOCK_STREAM", "SOCK_SEQPACKET"):
    s = socket.socket(AF_STT, getattr(socket, kind), 0)
    dom = s.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN)
    typ = s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)
    print(f"socket(AF_STT, {kind}, 0) = fd {s.fileno()}: SO_DOMAIN={dom} SO_TYPE={typ}")
    s.close()
try:
    socket.socket(AF_STT, socket.SOCK_DGRAM, 0)
except OSError as e:
    print(f"socket(AF_STT, SOCK_DGRAM, 0) -> {errno.errorcode[e.errno]} ({e.strerror})")
PY

say "# An open socket pins the module; with none open it unloads:"
python3 -c 'import socket,subprocess; s=socket.socket(25, socket.SOCK_STREAM); print("rmmod with a socket open:", subprocess.run(["rmmod","stt"],capture_output=True,text=True).stderr.strip())'
rmmod stt && echo "rmmod with none open: ok"
python3 -c 'import socket; socket.socket(25, socket.SOCK_STREAM); print("socket(AF_STT) loaded it again on demand")'
lsmod | grep -E '^stt '

# --- Two hosts ---------------------------------------------------------------
stt=$(cd "$(dirname "$0")/.." && pwd)/build/tools/stt
key=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
bad=ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

say "# Two hosts: namespaces stt-a (192.0.2.1) and stt-b (192.0.2.2), joined by veth"
ip -batch - <<'IP'
netns add stt-a
netns add stt-b
IP
ip -n stt-a -batch - <<'IP'
link add veth0 type veth peer name veth0 netns stt-b
link set lo up
addr add 192.0.2.1/24 dev veth0
link set veth0 up
IP
ip -n stt-b -batch - <<'IP'
link set lo up
addr add 192.0.2.2/24 dev veth0
link set veth0 up
IP

say "# stt-a listens, with a pre-shared key:"
ip netns exec stt-a "$stt" listen -k "$key" 192.0.2.1 7000 >/tmp/stt-listen.out &
listener=$!
for _ in $(seq 100); do grep -q listening /tmp/stt-listen.out && break; sleep 0.1; done
cat /tmp/stt-listen.out

say "# stt-b connects: handshake (X25519, PSK proofs, ChaCha20-Poly1305):"
ip netns exec stt-b "$stt" connect -k "$key" 192.0.2.1 7000
say "# ... a second stream reuses the session (no new handshake):"
ip netns exec stt-b "$stt" connect -k "$key" 192.0.2.1 7000
say "# ... with the wrong key, and where nobody listens:"
ip netns exec stt-b "$stt" connect -k "$bad" 192.0.2.1 7000
ip netns exec stt-b "$stt" connect -k "$key" 192.0.2.1 7999

say "# Counters of stt-b (client), from /proc/net/stt/stats:"
ip netns exec stt-b "$stt" stats
say "# Counters of stt-a (server):"
ip netns exec stt-a "$stt" stats
kill "$listener"
wait "$listener" 2>/dev/null

# --- Streams of one session --------------------------------------------------
say "# Streams: stt-a serves on 192.0.2.1:7100 and prints a line as each stream ends"
ip netns exec stt-a "$stt" serve -k "$key" 192.0.2.1 7100 >/tmp/stt-serve.out 2>&1 &
server=$!
for _ in $(seq 100); do grep -q serving /tmp/stt-serve.out && break; sleep 0.1; done
cat /tmp/stt-serve.out

say "# stt-b sends video, audio and chat at once, each a stream of one session:"
echo "(a listener takes one socket type: stt-a's takes byte streams, so stt-b asks"
echo " stt-a to open the chat, a SOCK_SEQPACKET stream, back to it on the session)"
echo
ip netns exec stt-b "$stt" streams -k "$key" 192.0.2.1 7100 | tee /tmp/stt-streams.out
streams_rc=${PIPESTATUS[0]}

# Each line of either side that names a stream's sum: "ID SUM".
sums() { sed -nE "s/^stream ([0-9]+) '.*fnv1a64 ([0-9a-f]{16}).*/\1 \2/p" "$1" | sort -n; }
want=$(sums /tmp/stt-streams.out | wc -l)
for _ in $(seq 100); do
	[ "$(sums /tmp/stt-serve.out | wc -l)" -ge "$want" ] && break
	sleep 0.1
done

say "# What stt-a received, as each stream ended (serve's output):"
tail -n +2 /tmp/stt-serve.out

say "# FNV-1a checksums, stt-b's (sent) against stt-a's (received):"
fail=0
[ "$want" = 5 ] || { echo "$want streams reported a checksum, not 5"; fail=1; }
sums /tmp/stt-streams.out >/tmp/stt-streams.sums
while read -r id sum; do
	got=$(sums /tmp/stt-serve.out | awk -v id="$id" '$1 == id { print $2 }')
	if [ "$got" = "$sum" ]; then
		echo "stream $id: $sum sent, $got received: same"
	else
		echo "stream $id: $sum sent, ${got:-nothing} received: DIFFERENT"
		fail=1
	fi
done </tmp/stt-streams.sums
[ "$streams_rc" = 0 ] || { echo "stt streams exited $streams_rc"; fail=1; }

say "# Stream counters of stt-b and stt-a (both parts of the demo):"
for ns in stt-b stt-a; do
	echo "$ns:"
	ip netns exec "$ns" "$stt" stats | grep -E 'streams_|frames|data_|window'
done
kill "$server"
wait "$server" 2>/dev/null
ip netns del stt-a
ip netns del stt-b
if [ "$fail" != 0 ]; then
	say "# DEMO FAILED: the streams did not arrive as sent (see above)"
	exit 1
fi
true
