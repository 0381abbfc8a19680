#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""sttpeer: a second implementation of STT wire format v1, in Python.

Written from Documentation/wire.rst alone, to check the kernel module
against the document (interoperability) and to be a hostile peer that can
send any frame (see attack.py).  Importable: wire (frames), crypto (keys),
session (handshakes, streams, the low-level seal/send API).  Run with
Debian's /usr/bin/python3 and python3-cryptography.

  sttpeer.py selftest [--wire Documentation/wire.rst]
  sttpeer.py server --listen ADDR PORT --psk HEX [--streams N --bytes B]
  sttpeer.py client --connect ADDR PORT --psk HEX [--streams N --bytes B]
  sttpeer.py overlap|wrap|acks|fuzz --connect ADDR PORT --psk HEX [...]
  sttpeer.py commands

"commands" runs one command after another from standard input, each a
line "ID NETNS COMMAND ARGS..." run in network namespace /run/netns/NETNS
("-": stay), and ends each with a line "exit ID STATUS": the selftests start
the peer once and pay Python's start (seconds in the emulated guest) once.

Test data: the opener of stream S sends the bytes of pattern(seed S), the
other end pattern(seed S + 0x10000) (selftests/stt/pair.h's pattern()).
Each stream's outcome is printed as a line
"stream S tx LEN SHA256 rx LEN SHA256 bad N" (N is "-" without --check);
the last line is "ok" or "FAIL ..."; the exit status says the same.
"""

import argparse
import ctypes
import gc
import hashlib
import os
import socket
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import wire  # noqa: E402
import session as stt  # noqa: E402
import attack  # noqa: E402
import selftest  # noqa: E402

REPLY_SEED = 0x10000


def say(*a):
    """Print a line at once (the test reads it through a pipe)."""
    print(*a, flush=True)


def family(addr):
    """AF_INET6 for an address with a colon."""
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def sockaddr(addr, port):
    """A socket address tuple for @addr, @port."""
    return (addr, port, 0, 0) if ":" in addr else (addr, port)


def report(sess, streams, rx_seed_of, check):
    """Print each stream's figures; the number of streams that went wrong.

    With @check, every byte received is compared with the pattern ("bad"
    counts those that differ); without, the other end compares the
    SHA-256 of what it sent with ours of what arrived (in the emulated
    guest the pattern is the peer's largest cost), and bad is "-".
    """
    bad_streams = 0
    for st in streams:
        bad = "-"
        if check:
            want = stt.pattern(0, len(st.rx), rx_seed_of(st))
            bad = sum(1 for a, b in zip(st.rx, want) if a != b)
        say("stream %d tx %d %s rx %d %s bad %s" % (
            st.sid, len(st.tx), hashlib.sha256(st.tx).hexdigest(),
            len(st.rx), hashlib.sha256(st.rx).hexdigest(), bad))
        if (check and bad) or not st.rx_done or not sess.tx_done(st):
            bad_streams += 1
    return bad_streams


def transfer(sess, streams, nbytes, opener, timeout, check):
    """Send @nbytes on each stream, receive until each ends; the failures."""
    def seed(st, mine):
        return st.sid + (0 if mine == opener else REPLY_SEED)

    for st in streams:
        sess.send(st, stt.pattern(0, nbytes, seed(st, True)), fin=True)
    sess.run(lambda: all(st.rx_done and sess.tx_done(st) for st in streams),
             timeout)
    return report(sess, streams, lambda st: seed(st, False), check)


def cmd_server(a, psk):
    """Accept a session, then @streams streams, and exchange data on them."""
    sock = stt._udp(family(a.listen[0]),
                    sockaddr(a.listen[0], int(a.listen[1])))
    say("ready")
    sess = stt.accept(sock, psk, a.suites, timeout=a.timeout)
    say("session %08x suite %d" % (sess.local_sid, sess.suite))
    streams = []
    sess.run(lambda: (streams.extend(iter(sess.accept, None)) or
                      len(streams) >= a.streams), a.timeout)
    fails = transfer(sess, streams, a.bytes, False, a.timeout, a.check)
    return finish(sess, fails or (len(streams) < a.streams))


def connect_fn(a, psk):
    """A function that opens a new session to --connect each time."""
    def connect():
        sock = stt._udp(family(a.connect[0]), (a.bind or "", 0))
        sess = stt.connect(sock, sockaddr(a.connect[0], int(a.connect[1])),
                           psk, a.suites, timeout=a.timeout)
        sess.rekey_every = a.rekey
        return sess
    return connect


def cmd_client(a, psk):
    """Open a session and @streams streams, and exchange data on them."""
    sess = connect_fn(a, psk)()
    say("session %08x suite %d" % (sess.local_sid, sess.suite))
    streams = [sess.open_stream(label=b"interop %d" % i)
               for i in range(a.streams)]
    fails = transfer(sess, streams, a.bytes, True, a.timeout, a.check)
    return finish(sess, fails)


def finish(sess, fails):
    """Close the session, print the last line; the exit status."""
    say("peer: %s" % " ".join("%s %d" % kv for kv in sess.stats.items()))
    sess.close()
    say("ok" if not fails else "FAIL %d" % fails)
    return 1 if fails else 0


def cmd_attack(a, psk):
    """One of the hostile behaviours of attack.py."""
    connect = connect_fn(a, psk)
    if a.cmd in ("wrap", "fuzz"):
        if a.cmd == "wrap":
            res = attack.wrap(connect, say,
                              sys.stdin.readline if a.step else None)
            ok = all(v != "silent" for v in res.values())
        else:
            res = attack.fuzz(connect, a.frames, a.seed, say)
            ok = res["state"] != "silent"
        say("result", " ".join("%s=%s" % kv for kv in sorted(res.items())))
        say("ok" if ok else "FAIL")
        return 0 if ok else 1
    sess = connect()
    st = sess.open_stream(label=a.cmd.encode())
    if not attack.wait_accepted(sess, st):
        say("FAIL stream not accepted")
        return 1
    say("stream %d window %d" % (st.sid, st.tx_max))
    t0 = time.monotonic()
    if a.cmd == "overlap":
        res = attack.overlap(sess, st, a.seconds, a.seed)
        ok = res["delivered"]
    else:
        sess.send(st, b"", fin=True)
        res = attack.acks(sess, st, a.seconds, a.seed)
        ok = res["intact"]
    res["seconds"] = round(time.monotonic() - t0, 1)
    say("result", " ".join("%s=%s" % kv for kv in sorted(res.items())))
    ok = ok and res["state"] == "alive"
    say("ok" if ok else "FAIL")
    return 0 if ok else 1


def setns(name):
    """Move this (single-threaded) process into network namespace @name."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open("/run/netns/" + name, os.O_RDONLY)
    try:
        if libc.setns(fd, 0x40000000):      # CLONE_NEWNET
            err = ctypes.get_errno()
            raise OSError(err, "setns %s: %s" % (name, os.strerror(err)))
    finally:
        os.close(fd)


def commands():
    """Run "ID NETNS COMMAND ARGS..." lines from stdin until it ends."""
    say("commands ready")
    while True:
        line = sys.stdin.readline()
        if not line:
            return 0
        words = line.split()
        if len(words) < 3:
            continue
        ident, ns, argv = words[0], words[1], words[2:]
        try:
            if ns != "-":
                setns(ns)
            rc = main(argv)
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else 2
        except stt.HandshakeError as e:
            say("FAIL handshake: %s" % e)
            rc = 1
        except Exception:
            say("FAIL %s" % traceback.format_exc().replace("\n", " | "))
            rc = 1
        gc.collect()            # close the command's sockets now
        say("exit %s %d" % (ident, rc))


def main(argv=None):
    """Parse the command line (@argv, else sys.argv) and run the command."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("cmd", choices=("selftest", "server", "client", "overlap",
                                   "wrap", "acks", "fuzz", "commands"))
    p.add_argument("--listen", nargs=2, metavar=("ADDR", "PORT"))
    p.add_argument("--connect", nargs=2, metavar=("ADDR", "PORT"))
    p.add_argument("--bind", help="local address to connect from")
    p.add_argument("--psk", help="the pre-shared key, 64 hex digits")
    p.add_argument("--suites", type=int, default=wire.SUITE_CHACHA)
    p.add_argument("--streams", type=int, default=4)
    p.add_argument("--bytes", type=int, default=65536)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--frames", type=int, default=100000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--rekey", type=int, default=0,
                   help="packets per sending key (0: no key update)")
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--check", action="store_true",
                   help="compare every byte received with the pattern")
    p.add_argument("--step", action="store_true",
                   help="wrap: wait for a line on stdin before each case")
    p.add_argument("--wire", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)),
        "../../Documentation/wire.rst"))
    a = p.parse_args(argv)
    if a.cmd == "commands":
        return commands()
    if a.cmd == "selftest":
        bad = selftest.run(a.wire)
        say("%s - sttpeer selftest, %d failed" % ("ok" if not bad else
                                                   "not ok", bad))
        return 1 if bad else 0
    psk = bytes.fromhex(a.psk)
    if a.cmd == "server":
        return cmd_server(a, psk)
    if a.cmd == "client":
        return cmd_client(a, psk)
    return cmd_attack(a, psk)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except stt.HandshakeError as e:
        say("FAIL handshake: %s" % e)
        sys.exit(1)
