# SPDX-License-Identifier: GPL-2.0
"""Hostile-peer behaviours built on the low-level Session API.

Each function takes an established Session (or a way to make a new one) and
sends frames no honest peer sends, through Session.send_frames(), which
seals whatever bytes it is given: the receiver's AEAD accepts them, so only
its frame checks and its bounds stand in the way.  Each returns a dict of
what it did and saw, for the caller to print.
"""

import random
import time

import wire
import session as stt

U64 = wire.U64
FRAMES_MAX = wire.PKT_FRAMES_MAX   # a receiver drops packets with more


def wait_accepted(sess, st, timeout=10.0):
    """Wait for the WINDOW_UPDATE that answers @st's STREAM_OPEN."""
    return sess.run(lambda: st.accepted and st.tx_max is not None, timeout)


def probe(sess, timeout=5.0):
    """'alive' if a KEEPALIVE is answered, else 'closed R' or 'silent'."""
    val = random.getrandbits(64)
    sess.send_frames(wire.keepalive(val), [])
    sess.run(lambda: val in sess.keepalive_acks, timeout)
    if sess.closed:
        return "closed %d" % sess.closed[0]
    return "alive" if val in sess.keepalive_acks else "silent"


def overlap(sess, st, seconds, seed):
    """One-byte DATA frames, overlapping and out of order, in the window.

    Every byte sent is the test pattern's byte at its offset, so whatever
    the receiver delivers must read as the pattern.  Each packet carries
    the next few in-order bytes (so the stream moves on) and one- to
    four-byte frames at random offsets up to the window's edge, 32 frames
    in all, the most a receiver takes in one packet.
    At the end every byte up to the highest offset sent is sent again
    reliably, with FIN, so the reader gets the whole stream.
    """
    rnd = random.Random(seed)
    end = time.monotonic() + seconds
    lo, hi, frames, packets = 0, 0, 0, 0
    cache = stt.pattern(0, 16384, st.sid)
    while time.monotonic() < end:
        edge = min(st.tx_max, sess.sess_tx_max - 4096)
        if edge > len(cache):   # the pattern costs: make it as needed
            cache += stt.pattern(len(cache), len(cache), st.sid)
            continue
        if edge <= lo:
            sess.pump(0.002)
            continue
        out = b""
        step = min(8, edge - lo)
        for i in range(step):
            out += wire.data(st.sid, lo + i, cache[lo + i:lo + i + 1])
        lo += step
        frames += step
        for _ in range(FRAMES_MAX - step):
            if edge <= lo:
                break
            off = rnd.randrange(lo, edge)
            n = min(rnd.choice((1, 1, 1, 2, 4)), edge - off)
            out += wire.data(st.sid, off, cache[off:off + n])
            hi = max(hi, off + n)
            frames += 1
        sess.send_frames(out)
        packets += 1
        if packets % 4 == 0:
            sess.pump(0)
    top = max(lo, hi)           # the final size: nothing sent lies beyond
    sess.sess_tx_used = top
    st.tx = bytearray(cache[:top])
    st.tx_sent = 0
    st.tx_fin = True
    ok = sess.run(lambda: sess.tx_done(st), 60)
    return {"frames": frames, "packets": packets, "bytes": top,
            "delivered": int(ok), "state": probe(sess)}


WRAP_CASES = (
    # name, frames to send on a fresh stream after @pre bytes were received
    ("data-wrap", 0, lambda sid: wire.data(sid, U64, b"ab")),
    ("data-fin-wrap", 0,
     lambda sid: wire.data(sid, U64 - 1, b"a", wire.DATA_FIN)),
    ("data-top", 0, lambda sid: wire.data(sid, U64 - 4, b"abc")),
    ("fin-near-2^64", 0, lambda sid: wire.stream_fin(sid, U64)),
    ("fin-2^63", 0, lambda sid: wire.stream_fin(sid, 1 << 63)),
    ("reset-near-2^64", 0, lambda sid: wire.stream_reset(sid, 0, U64 - 1)),
    ("fin-below-received", 2000, lambda sid: wire.stream_fin(sid, 1000)),
    ("reset-below-received", 2000,
     lambda sid: wire.stream_reset(sid, 0, 1000)),
    ("data-fin-below-received", 2000,
     lambda sid: wire.data(sid, 500, b"x", wire.DATA_FIN)),
    ("fin-twice-different", 100,
     lambda sid: wire.stream_fin(sid, 100) + wire.stream_fin(sid, 200)),
)


def wrap(connect, log, step=None):
    """Each WRAP_CASES entry on a fresh stream; a new session if closed.

    @step, if given, is called before each case (the test's go-ahead).
    """
    sess = connect()
    res = {}
    for name, pre, make in WRAP_CASES:
        if step:
            step()
        if sess.closed:
            sess = connect()
        st = sess.open_stream(label=name.encode())
        if not wait_accepted(sess, st):
            res[name] = "not accepted"
            log("case %s: stream not accepted" % name)
            continue
        if pre:
            sess.send(st, stt.pattern(0, pre, st.sid))
            sess.run(lambda: st.tx_sent == pre and not any(
                w[0] == "data" and w[1] == st.sid
                for _, ws in sess.sent.values() for w in ws), 10)
        for _ in range(3):      # the same frame, again, in new packets
            sess.send_frames(make(st.sid))
        state = probe(sess)
        res[name] = state
        log("case %s: session %s, stream reset by the receiver: %s" % (
            name, state, st.reset_in))
    return res


def acks(sess, st, seconds, seed):
    """ACK and NACK frames with the widest ranges, as many as fit a packet.

    Five packets in six carry the widest frames (four ACKs or three NACKs
    fill one); the sixth carries 61 small ACKs, beyond what a receiver
    takes in one packet.
    The receiver is sending data on @st meanwhile; the peer keeps
    receiving it (and acknowledging it honestly) between the attack
    packets, so what the receiver's sender path does with the junk shows
    in what arrives.
    """
    rnd = random.Random(seed)
    end = time.monotonic() + seconds
    packets = frames = 0
    while time.monotonic() < end:
        top = sess.received.iv[-1][1] if sess.received.iv else 0
        kind = packets % 6
        out = b""
        while True:
            if kind == 0:       # largest 2^64 - 1, 32 ranges of 2^32 - 1
                f = wire.ack(U64, 0xffffffff, [(0, 0xffffffff)] * 32)
            elif kind == 1:     # plausible largest, ranges reaching below 0
                f = wire.ack(top, top, [(0xffffffff, 0xffffffff)] * 32)
            elif kind == 2:     # plausible, 32 ranges of 0 gap and length
                f = wire.ack(top, 0, [(0, 0)] * 32)
            elif kind == 3:     # NACK of everything, 32 widest ranges
                f = wire.nack([(rnd.getrandbits(64), 0xffffffff)
                               for _ in range(32)])
            elif kind == 4:     # NACK of what was really sent
                f = wire.nack([(max(0, top - 64 + 2 * i), 0xffffffff)
                               for i in range(32)])
            else:               # many small ACKs of the largest
                f = wire.ack(top, min(top, 0xffffffff))
            if len(out) + len(f) > stt.MAX_PAYLOAD:
                break
            out += f
            frames += 1
        sess.send_frames(out)
        packets += 1
        sess.pump(0)
    done = sess.run(lambda: st.rx_done, 60)
    want = stt.pattern(0, len(st.rx), st.sid + 0x10000)
    return {"frames": frames, "packets": packets, "received": len(st.rx),
            "intact": int(done and bytes(st.rx) == want),
            "state": probe(sess)}


# ------------------------------------------------------------- fuzzing

INTERESTING = (0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000,
               0x7fffffff, 0x80000000, 0xffffffff, 1 << 32, 1 << 63,
               U64 - 1, U64)


class Fuzzer:
    """Random frames with random fields, then truncated or bit-flipped.

    Making a frame field by field is the peer's largest cost in the
    emulated guest, so frames come from a pool of POOL made that way, one
    in sixteen replaced by a new one as it is drawn, and every frame drawn
    is mutated afresh.
    """

    POOL = 2048

    def __init__(self, seed, sids):
        self.r = random.Random(seed)
        self.sids = sids
        self.pool = [self.frame() for _ in range(self.POOL)]

    def num(self, bits, small=1 << 16):
        """A field value: small, interesting, or any @bits-bit number."""
        r = self.r
        c = r.random()
        if c < 0.6:
            v = r.randrange(small)
        elif c < 0.85:
            v = r.choice(INTERESTING)
        else:
            v = r.getrandbits(bits)
        return v & ((1 << bits) - 1)

    def sid(self):
        """A stream id: mostly one that is open."""
        return self.r.choice(self.sids) if self.r.random() < 0.8 else \
            self.num(16, 64)

    def frame(self):
        """One random frame, before mutation."""
        r = self.r
        t = r.choice((0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x10, 0x11,
                      0x12, 0x13, 0x13, 0x13, 0x14, 0x15, 0x16, 0x16, 0x17,
                      0x18, 0x1a, r.randrange(256)))
        b = r.randbytes
        if t == 0x01:
            return wire.hello(self.num(32), b(32), b(32), self.num(8),
                              self.num(8))
        if t == 0x02:
            return wire.challenge(self.num(32), b(32), b(32), b(32))
        if t == 0x03:
            return wire.auth_proof(b(32))
        if t == 0x05:
            return wire.reject(self.num(32), b(32))
        if t == 0x06:
            return wire.cookie(b(32), b(16))
        if t == 0x10:
            n = r.choice((0, 1, 2, 32, 33, self.num(16, 40)))
            return wire.ack(self.num(64, 256), self.num(32, 256),
                            [(self.num(32, 8), self.num(32, 8))
                             for _ in range(min(n, 40))], self.num(32), n)
        if t == 0x11:
            n = r.choice((0, 1, 2, 32, 33))
            return wire.nack([(self.num(64, 256), self.num(32, 16))
                              for _ in range(n)], n)
        if t == 0x12:
            lab = b(r.randrange(70))
            return wire.stream_open(self.sid(), self.num(32), self.num(8, 4),
                                    self.num(8, 9), self.num(16),
                                    lab, self.num(16, 2),
                                    r.choice((len(lab), self.num(8, 80))),
                                    self.num(32))
        if t == 0x13:
            d = b(r.choice((0, 1, 2, 16, 200)))
            off = self.num(64, 1 << 16)
            if off > (1 << 20) and r.random() < 0.95:
                off &= 0xffff   # mostly within the windows, rarely past
            return wire.data(self.sid(), off, d,
                             r.choice((0, 1, 2, 3, self.num(8))),
                             self.num(8, 2),
                             r.choice((len(d), len(d), self.num(16))))
        if t == 0x14:
            return wire.stream_fin(self.sid(), self.num(64, 1 << 16))
        if t == 0x15:
            return wire.stream_reset(self.sid(), self.num(32, 9),
                                     self.num(64, 1 << 16))
        if t == 0x16:
            return wire.window_update(self.sid() if r.random() < 0.7 else 0,
                                      self.num(64, 1 << 22))
        if t == 0x17:
            return wire.keepalive(self.num(64))
        if t == 0x18:
            return wire.keepalive_ack(self.num(64))
        if t == 0x1a:
            return wire.key_update(self.num(32, 4))
        if t == 0x04:
            return wire.final()
        return bytes([t]) + b(r.randrange(16))

    def mutate(self, f):
        """Truncate, flip a bit (past the type byte, mostly) or extend."""
        r = self.r
        c = r.getrandbits(16)
        if c < 6554 and len(f) > 1:         # a tenth: truncated
            return f[:1 + c % (len(f) - 1)]
        if c < 39322 and len(f) > 1:        # half: a bit flipped
            f = bytearray(f)
            f[1 + c % (len(f) - 1)] ^= 1 << (c & 7)
            return bytes(f)
        if c < 42598:                       # a twentieth: extended
            return f + r.randbytes(c & 7)
        return f

    def draw(self):
        """A frame of the pool, replacing it one time in sixteen."""
        i = self.r.getrandbits(11)
        if not i & 15:
            self.pool[i] = self.frame()
        return self.pool[i]

    def small(self):
        """A short valid frame: KEEPALIVE_ACK, WINDOW_UPDATE, KEY_UPDATE."""
        c = self.r.getrandbits(8)
        if c < 96:
            return wire.keepalive_ack(c)
        if c < 192:
            return wire.window_update(self.sid(), c)
        return wire.key_update(0)

    def payload(self):
        """A packet plaintext: 1 to 40 mutated frames, at most 1168 bytes.

        One packet in eight is 40 to 100 short frames instead, more than a
        receiver takes in one packet.
        """
        if not self.r.getrandbits(3):
            fs = [self.small() for _ in range(self.r.randrange(40, 101))]
            return b"".join(fs), len(fs)
        out, n = b"", 0
        for _ in range(self.r.choice((1, 8, 32, 32, 32, 40))):
            f = self.mutate(self.draw())
            if len(out) + len(f) > stt.MAX_PAYLOAD:
                break
            out += f
            n += 1
        return out, max(n, 1)


def fuzz(connect, nframes, seed, log):
    """Send @nframes mutated frames, sealed, into live sessions.

    A session the receiver closes is counted and replaced by a new one.
    Returns what was sent and how the sessions ended.
    """
    sess = connect()
    sids = []
    for _ in range(2):
        st = sess.open_stream(label=b"fuzz")
        wait_accepted(sess, st)
        sids.append(st.sid)
    fz = Fuzzer(seed, sids)
    sent = packets = closes = reconnects = 0
    reasons = {}
    while sent < nframes:
        if sess.closed:
            closes += 1
            reasons[sess.closed[0]] = reasons.get(sess.closed[0], 0) + 1
            sess = connect()
            reconnects += 1
            st = sess.open_stream(label=b"fuzz")
            wait_accepted(sess, st)
            fz.sids = [st.sid, st.sid + 2]
        out, n = fz.payload()
        sess.send_frames(out)
        sent += n
        packets += 1
        if packets % 8 == 0:
            sess.pump(0)
    state = probe(sess)
    if state.startswith("closed"):
        closes += 1
        reasons[sess.closed[0]] = reasons.get(sess.closed[0], 0) + 1
    log("fuzz: %d frames in %d packets, %d sessions closed by the receiver "
        "(reasons %s), last session %s" % (sent, packets, closes,
                                           reasons or "none", state))
    return {"frames": sent, "packets": packets, "closes": closes,
            "reasons": reasons, "state": state}
