# SPDX-License-Identifier: GPL-2.0
"""The peer's checks of itself, against Documentation/wire.rst.

Every ``vector-`` block of wire.rst is decoded with the peer's parser, its
fields compared with the values the document lists beside it, and encoded
again with the peer's encoders, byte for byte.  Then HKDF against RFC 5869's
first test case, and a whole session (handshake, streams, data both ways)
between two instances of the peer over loopback UDP.
"""

import re
import socket
import struct
import threading

import wire
import crypto
import session

A, B, C, D, E = (bytes([x]) * 32 for x in (0xaa, 0xbb, 0xcc, 0xdd, 0xee))

# name: (expected fields, the encoder call that must give the same bytes)
VECTORS = {
    "hdr-protected": (
        {"version": 1, "flags": 0x12, "type": 2, "key_phase": 1,
         "dst": 0x0a0b0c0d, "pn": 258},
        lambda: wire.header(wire.PKT_PROTECTED, 0x0a0b0c0d, 258, 1)),
    "hdr-handshake": (
        {"version": 1, "flags": 0x01, "type": 1, "key_phase": 0, "dst": 0,
         "pn": 3},
        lambda: wire.header(wire.PKT_HANDSHAKE, 0, 3)),
    "hello": (
        {"type": 1, "offered": 3, "preferred": 2, "reserved": 0,
         "sid": 0x11223344, "pubkey": A, "nonce": B},
        lambda: wire.hello(0x11223344, A, B, 3, 2)),
    "challenge": (
        {"type": 2, "suite": 2, "reserved1": 0, "reserved2": 0,
         "sid": 0x55667788, "pubkey": C, "nonce": D, "proof": E},
        lambda: wire.challenge(0x55667788, C, D, E, 2)),
    "auth-proof": (
        {"type": 3, "proof": b"\x5a" * 32},
        lambda: wire.auth_proof(b"\x5a" * 32)),
    "final": ({"type": 4}, wire.final),
    "reject": (
        {"type": 5, "reason": 3, "nonce": B},
        lambda: wire.reject(3, B)),
    "cookie": (
        {"type": 6, "nonce": B, "cookie": b"\x77" * 16},
        lambda: wire.cookie(B, b"\x77" * 16)),
    "padding": ({"type": 0}, wire.padding),
    "ack-one-range": (
        {"type": 0x10, "largest": 100, "delay": 500, "first": 5,
         "ranges": [], "packets": [(95, 100)]},
        lambda: wire.ack(100, 5, (), 500)),
    "ack-two-ranges": (
        {"type": 0x10, "largest": 100, "delay": 25, "first": 5,
         "ranges": [(3, 9), (0, 79)],
         "packets": [(95, 100), (81, 90), (0, 79)]},
        lambda: wire.ack(100, 5, [(3, 9), (0, 79)], 25)),
    "nack-two-ranges": (
        {"type": 0x11, "ranges": [(16, 2), (256, 3)]},
        lambda: wire.nack([(16, 2), (256, 3)])),
    "stream-open": (
        {"type": 0x12, "sid": 3, "kind": 2, "priority": 5,
         "max_frame": 1280, "reserved": 0, "window": 65536, "number": 258,
         "label": b"chat"},
        lambda: wire.stream_open(3, 65536, 2, 5, 1280, b"chat", number=258)),
    "stream-open-server": (
        {"type": 0x12, "sid": 3, "kind": 1, "priority": 0,
         "max_frame": 16384, "reserved": 0, "window": 0xffffffff,
         "number": 0, "label": b""},
        lambda: wire.stream_open(3, 0xffffffff)),
    "data": (
        {"type": 0x13, "sid": 3, "flags": 3, "reserved": 0, "offset": 1024,
         "data": b"hello"},
        lambda: wire.data(3, 1024, b"hello", 3)),
    "stream-fin": (
        {"type": 0x14, "sid": 3, "final_size": 1029},
        lambda: wire.stream_fin(3, 1029)),
    "stream-reset": (
        {"type": 0x15, "sid": 4, "code": 42, "final_size": 65536},
        lambda: wire.stream_reset(4, 42, 65536)),
    "window-update": (
        {"type": 0x16, "sid": 0, "max_data": 1048576},
        lambda: wire.window_update(0, 1048576)),
    "keepalive": (
        {"type": 0x17, "value": 0x0123456789abcdef},
        lambda: wire.keepalive(0x0123456789abcdef)),
    "keepalive-ack": (
        {"type": 0x18, "value": 0x0123456789abcdef},
        lambda: wire.keepalive_ack(0x0123456789abcdef)),
    "session-close": (
        {"type": 0x19, "reason": 1, "text": b"idle"},
        lambda: wire.session_close(1, b"idle")),
    "key-update": (
        {"type": 0x1a, "generation": 7},
        lambda: wire.key_update(7)),
}


def read_vectors(path):
    """{name: bytes} of every ``vector-`` block of wire.rst at @path."""
    text = open(path, encoding="utf-8").read()
    out = {}
    pat = re.compile(r"\.\. code-block:: none\n\s+:name: vector-(\S+)\n\n"
                     r"((?:[ \t]+[0-9a-f ]+\n)+)")
    for m in pat.finditer(text):
        out[m.group(1)] = bytes.fromhex(m.group(2).replace("\n", " "))
    return out


def check_vectors(path, log):
    """Decode, compare and re-encode every vector; the number of failures."""
    vecs = read_vectors(path)
    bad = 0
    for name in sorted(set(vecs) | set(VECTORS)):
        if name not in vecs or name not in VECTORS:
            log("not ok - vector %s: %s" % (
                name, "not in wire.rst" if name not in vecs
                else "no expected values here"))
            bad += 1
            continue
        raw = vecs[name]
        want, enc = VECTORS[name]
        try:
            if name.startswith("hdr-"):
                got = wire.parse_header(raw)
            else:
                got, end = wire.parse_frame(raw, 0)
                if end != len(raw):
                    raise wire.FrameError("%d bytes left" % (len(raw) - end))
            diff = [k for k in want if got.get(k) != want[k]]
            if diff:
                raise wire.FrameError("fields differ: %s" % ", ".join(diff))
            if enc() != raw:
                raise wire.FrameError("encodes to %s" % enc().hex())
            if not name.startswith("hdr-") and len(raw) > 1:
                try:
                    wire.parse_frame(raw[:-1], 0)
                    raise wire.FrameError("one byte short still parses")
                except wire.FrameError as e:
                    if "still parses" in str(e):
                        raise
        except (wire.FrameError, struct.error) as e:
            log("not ok - vector %s: %s" % (name, e))
            bad += 1
            continue
        log("ok - vector %s (%d bytes)" % (name, len(raw)))
    return bad


def check_hkdf(log):
    """RFC 5869 test case 1; the number of failures."""
    ikm = b"\x0b" * 22
    salt = bytes(range(13))
    info = bytes(range(0xf0, 0xfa))
    prk = crypto.hkdf_extract(salt, ikm)
    okm = crypto.hkdf_expand(prk, info, 42)
    ok = (prk.hex().startswith("077709362c2e32df0ddc3f0dc47bba63") and
          okm.hex().startswith("3cb25f25faacd57a90434f64d0362f2a"))
    log("%s - HKDF-SHA256, RFC 5869 test case 1" % ("ok" if ok else "not ok"))
    return 0 if ok else 1


def check_loopback(log, suite):
    """The peer against itself over 127.0.0.1; the number of failures."""
    psk = bytes(range(32))
    srv = session._udp(socket.AF_INET, ("127.0.0.1", 0))
    cli = session._udp(socket.AF_INET, ("127.0.0.1", 0))
    res = {}

    def server():
        try:
            s = session.accept(srv, psk, wire.SUITE_CHACHA | wire.SUITE_AES,
                               timeout=10)
            st = None
            while st is None:
                s.pump(0.01)
                st = s.accept()
            s.run(lambda: st.rx_done, 10)
            s.send(st, bytes(st.rx[::-1]), fin=True)
            s.run(lambda: s.tx_done(st), 10)
            res["srv"] = bytes(st.rx)
        except Exception as e:  # reported below
            res["err"] = e

    t = threading.Thread(target=server)
    t.start()
    msg = session.pattern(0, 100000, 7)
    try:
        c = session.connect(cli, srv.getsockname(), psk, suite, timeout=10)
        st = c.open_stream(label=b"selftest")
        c.send(st, msg, fin=True)
        ok = c.run(lambda: st.rx_done, 10) and bytes(st.rx) == msg[::-1]
        c.rekey_every = 1
    except Exception as e:
        res["err"] = e
        ok = False
    t.join()
    ok = ok and res.get("srv") == msg
    log("%s - loopback session, suite %d, 100000 bytes both ways%s" % (
        "ok" if ok else "not ok", suite,
        "" if ok else ": %r" % res.get("err")))
    srv.close()
    cli.close()
    return 0 if ok else 1


def run(wire_rst, log=print):
    """Every check; the number of failures."""
    bad = check_vectors(wire_rst, log)
    bad += check_hkdf(log)
    for suite in (wire.SUITE_CHACHA, wire.SUITE_AES):
        bad += check_loopback(log, suite)
    return bad
