#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the demo guest: shows that stt.ko is loaded and that AF_STT
# sockets work.
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
