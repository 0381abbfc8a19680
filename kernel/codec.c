// SPDX-License-Identifier: GPL-2.0
/*
 * Encoder and parser of the STT wire format of Documentation/wire.rst: the
 * 16-byte packet header and every frame type.  Each frame's fixed part is
 * read and written in one place; the rules on its fields live in one checker
 * that both directions share, so that whatever the encoder accepts the parser
 * accepts too, and a frame round-trips byte for byte.  Also the check of a
 * protected payload's frames as a whole, with the caps on how many it may
 * carry.  Pure code: no
 * allocation, no locking, and parsed frames point into the caller's buffer.
 */
#include "codec.h"

/*
 * The wire is big-endian and a field may sit at any offset, so multi-byte
 * fields are assembled a byte at a time rather than through wider pointers.
 */
static u16 stt_get16(const u8 *p)
{
	return (u16)p[0] << 8 | p[1];
}

static u32 stt_get32(const u8 *p)
{
	return (u32)stt_get16(p) << 16 | stt_get16(p + 2);
}

static u64 stt_get64(const u8 *p)
{
	return (u64)stt_get32(p) << 32 | stt_get32(p + 4);
}

static void stt_put16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void stt_put32(u8 *p, u32 v)
{
	stt_put16(p, v >> 16);
	stt_put16(p + 2, v);
}

static void stt_put64(u8 *p, u64 v)
{
	stt_put32(p, v >> 32);
	stt_put32(p + 4, v);
}

static bool stt_fits32(u64 v)
{
	return !(v >> 32);
}

static bool stt_one_bit(u8 v)
{
	return v && !(v & (v - 1));
}

/**
 * stt_hdr_decode() - parse and check a packet header
 * @buf: the start of the packet
 * @len: bytes available at @buf
 * @hdr: filled with the header's fields
 *
 * Return: 0, -%EBADMSG if @len cannot hold a header, -%EPROTONOSUPPORT for a
 * version other than %STT_VERSION, or -%EINVAL when a reserved bit is set,
 * the packet type is unknown, or a handshake packet claims a key phase.
 */
int stt_hdr_decode(const u8 *buf, size_t len, struct stt_hdr *hdr)
{
	u8 flags;

	if (len < STT_HDR_LEN)
		return -EBADMSG;
	if (buf[0] != STT_VERSION)
		return -EPROTONOSUPPORT;
	flags = buf[1];
	if ((flags & STT_HDR_FLAGS_MBZ) || stt_get16(buf + 2))
		return -EINVAL;
	hdr->type = flags & STT_HDR_TYPE_MASK;
	hdr->key_phase = !!(flags & STT_HDR_KEY_PHASE);
	if (hdr->type == STT_PKT_HANDSHAKE) {
		/* Handshake packets are never sealed, so no key is named. */
		if (hdr->key_phase)
			return -EINVAL;
	} else if (hdr->type != STT_PKT_PROTECTED) {
		return -EINVAL;
	}
	hdr->dst_session = stt_get32(buf + 4);
	hdr->pn = stt_get64(buf + 8);
	return 0;
}

/**
 * stt_hdr_encode() - write a packet header
 * @buf: where the %STT_HDR_LEN bytes go
 * @hdr: the fields; only the low bit of @hdr->key_phase is sent
 */
void stt_hdr_encode(u8 *buf, const struct stt_hdr *hdr)
{
	buf[0] = STT_VERSION;
	buf[1] = (hdr->type & STT_HDR_TYPE_MASK) |
		 ((hdr->key_phase & 1) ? STT_HDR_KEY_PHASE : 0);
	stt_put16(buf + 2, 0);
	stt_put32(buf + 4, hdr->dst_session);
	stt_put64(buf + 8, hdr->pn);
}

/* Size of the fixed part of a frame's body, or -EOPNOTSUPP if unknown. */
static int stt_body_len(u8 type)
{
	switch (type) {
	case STT_FRAME_PADDING:
		return 0;
	case STT_FRAME_HELLO:
		return STT_HELLO_LEN;
	case STT_FRAME_CHALLENGE:
		return STT_CHALLENGE_LEN;
	case STT_FRAME_AUTH_PROOF:
		return STT_AUTH_PROOF_LEN;
	case STT_FRAME_FINAL:
		return STT_FINAL_LEN;
	case STT_FRAME_REJECT:
		return STT_REJECT_LEN;
	case STT_FRAME_COOKIE:
		return STT_COOKIE_LEN;
	case STT_FRAME_ACK:
		return STT_ACK_MIN_LEN;
	case STT_FRAME_NACK:
		return STT_NACK_MIN_LEN;
	case STT_FRAME_STREAM_OPEN:
		return STT_STREAM_OPEN_MIN_LEN;
	case STT_FRAME_DATA:
		return STT_DATA_HDR_LEN;
	case STT_FRAME_STREAM_FIN:
		return STT_STREAM_FIN_LEN;
	case STT_FRAME_STREAM_RESET:
		return STT_STREAM_RESET_LEN;
	case STT_FRAME_WINDOW_UPDATE:
		return STT_WINDOW_UPDATE_LEN;
	case STT_FRAME_KEEPALIVE:
	case STT_FRAME_KEEPALIVE_ACK:
		return STT_KEEPALIVE_LEN;
	case STT_FRAME_SESSION_CLOSE:
		return STT_SESSION_CLOSE_MIN_LEN;
	case STT_FRAME_KEY_UPDATE:
		return STT_KEY_UPDATE_LEN;
	}
	return -EOPNOTSUPP;
}

/*
 * Parse the fixed part of a frame's body, which the caller made sure is all
 * there.  The variable part's pointer is set to where it would start; the
 * caller checks its length.  Reserved bytes are checked here because they
 * never reach struct stt_frame.
 */
static int stt_fixed_decode(const u8 *b, struct stt_frame *f)
{
	switch (f->type) {
	case STT_FRAME_HELLO:
		f->hello.suites = b[0];
		f->hello.preferred = b[1];
		if (stt_get16(b + 2))
			return -EINVAL;
		f->hello.session = stt_get32(b + 4);
		f->hello.pub = b + 8;
		f->hello.nonce = b + 40;
		break;
	case STT_FRAME_CHALLENGE:
		f->challenge.suite = b[0];
		if (b[1] || stt_get16(b + 2))
			return -EINVAL;
		f->challenge.session = stt_get32(b + 4);
		f->challenge.pub = b + 8;
		f->challenge.nonce = b + 40;
		f->challenge.proof = b + 72;
		break;
	case STT_FRAME_AUTH_PROOF:
		f->auth_proof.proof = b;
		break;
	case STT_FRAME_REJECT:
		f->reject.reason = stt_get32(b);
		f->reject.nonce = b + 4;
		break;
	case STT_FRAME_COOKIE:
		f->cookie.nonce = b;
		f->cookie.mac = b + STT_HS_NONCE_LEN;
		break;
	case STT_FRAME_ACK:
		f->ack.largest = stt_get64(b);
		f->ack.delay_us = stt_get32(b + 8);
		f->ack.nranges = stt_get16(b + 12);
		f->ack.first_range = stt_get32(b + 14);
		f->ack.raw = b + STT_ACK_MIN_LEN;
		break;
	case STT_FRAME_NACK:
		f->nack.nranges = stt_get16(b);
		f->nack.raw = b + STT_NACK_MIN_LEN;
		break;
	case STT_FRAME_STREAM_OPEN:
		f->open.stream = stt_get16(b);
		f->open.kind = b[2];
		f->open.priority = b[3];
		f->open.max_frame = stt_get16(b + 4);
		if (stt_get16(b + 6))
			return -EINVAL;
		f->open.window = stt_get32(b + 8);
		f->open.number = stt_get32(b + 12);
		f->open.label_len = b[16];
		f->open.label = b + STT_STREAM_OPEN_MIN_LEN;
		break;
	case STT_FRAME_DATA:
		f->data.stream = stt_get16(b);
		f->data.flags = b[2];
		if (b[3])
			return -EINVAL;
		f->data.offset = stt_get64(b + 4);
		f->data.len = stt_get16(b + 12);
		/* Its end, offset + length, is a stream offset too: no wrap. */
		if (f->data.offset > ~0ULL - f->data.len)
			return -EINVAL;
		f->data.data = b + STT_DATA_HDR_LEN;
		break;
	case STT_FRAME_STREAM_FIN:
		f->fin.stream = stt_get16(b);
		f->fin.final_size = stt_get64(b + 2);
		break;
	case STT_FRAME_STREAM_RESET:
		f->reset.stream = stt_get16(b);
		f->reset.code = stt_get32(b + 2);
		f->reset.final_size = stt_get64(b + 6);
		break;
	case STT_FRAME_WINDOW_UPDATE:
		f->window.stream = stt_get16(b);
		f->window.max_data = stt_get64(b + 2);
		break;
	case STT_FRAME_KEEPALIVE:
	case STT_FRAME_KEEPALIVE_ACK:
		f->keepalive.opaque = stt_get64(b);
		break;
	case STT_FRAME_SESSION_CLOSE:
		f->close.reason = stt_get32(b);
		f->close.text_len = stt_get16(b + 4);
		f->close.text = b + STT_SESSION_CLOSE_MIN_LEN;
		break;
	case STT_FRAME_KEY_UPDATE:
		f->key_update.generation = stt_get32(b);
		break;
	}
	return 0;
}

/* The mirror of stt_fixed_decode(); @b was zeroed, so reserved fields are. */
static void stt_fixed_encode(u8 *b, const struct stt_frame *f)
{
	switch (f->type) {
	case STT_FRAME_HELLO:
		b[0] = f->hello.suites;
		b[1] = f->hello.preferred;
		stt_put32(b + 4, f->hello.session);
		memcpy(b + 8, f->hello.pub, STT_X25519_LEN);
		memcpy(b + 40, f->hello.nonce, STT_HS_NONCE_LEN);
		break;
	case STT_FRAME_CHALLENGE:
		b[0] = f->challenge.suite;
		stt_put32(b + 4, f->challenge.session);
		memcpy(b + 8, f->challenge.pub, STT_X25519_LEN);
		memcpy(b + 40, f->challenge.nonce, STT_HS_NONCE_LEN);
		memcpy(b + 72, f->challenge.proof, STT_MAC_LEN);
		break;
	case STT_FRAME_AUTH_PROOF:
		memcpy(b, f->auth_proof.proof, STT_MAC_LEN);
		break;
	case STT_FRAME_REJECT:
		stt_put32(b, f->reject.reason);
		memcpy(b + 4, f->reject.nonce, STT_HS_NONCE_LEN);
		break;
	case STT_FRAME_COOKIE:
		memcpy(b, f->cookie.nonce, STT_HS_NONCE_LEN);
		memcpy(b + STT_HS_NONCE_LEN, f->cookie.mac, STT_COOKIE_MAC_LEN);
		break;
	case STT_FRAME_ACK:
		stt_put64(b, f->ack.largest);
		stt_put32(b + 8, f->ack.delay_us);
		stt_put16(b + 12, f->ack.nranges);
		stt_put32(b + 14, f->ack.first_range);
		break;
	case STT_FRAME_NACK:
		stt_put16(b, f->nack.nranges);
		break;
	case STT_FRAME_STREAM_OPEN:
		stt_put16(b, f->open.stream);
		b[2] = f->open.kind;
		b[3] = f->open.priority;
		stt_put16(b + 4, f->open.max_frame);
		stt_put32(b + 8, f->open.window);
		stt_put32(b + 12, f->open.number);
		b[16] = f->open.label_len;
		break;
	case STT_FRAME_DATA:
		stt_put16(b, f->data.stream);
		b[2] = f->data.flags;
		stt_put64(b + 4, f->data.offset);
		stt_put16(b + 12, f->data.len);
		break;
	case STT_FRAME_STREAM_FIN:
		stt_put16(b, f->fin.stream);
		stt_put64(b + 2, f->fin.final_size);
		break;
	case STT_FRAME_STREAM_RESET:
		stt_put16(b, f->reset.stream);
		stt_put32(b + 2, f->reset.code);
		stt_put64(b + 6, f->reset.final_size);
		break;
	case STT_FRAME_WINDOW_UPDATE:
		stt_put16(b, f->window.stream);
		stt_put64(b + 2, f->window.max_data);
		break;
	case STT_FRAME_KEEPALIVE:
	case STT_FRAME_KEEPALIVE_ACK:
		stt_put64(b, f->keepalive.opaque);
		break;
	case STT_FRAME_SESSION_CLOSE:
		stt_put32(b, f->close.reason);
		stt_put16(b + 4, f->close.text_len);
		break;
	case STT_FRAME_KEY_UPDATE:
		stt_put32(b, f->key_update.generation);
		break;
	}
}

/*
 * The rules on a frame's scalar fields, limits on its length and count fields
 * included.  They are checked before the variable part's bounds, so that a
 * count over its limit is -EINVAL however long the buffer is.
 */
static int stt_fields_check(const struct stt_frame *f)
{
	bool ok = true;

	switch (f->type) {
	case STT_FRAME_HELLO:
		ok = f->hello.suites &&
		     !(f->hello.suites & ~STT_SUITES_ALL) &&
		     stt_one_bit(f->hello.preferred) &&
		     (f->hello.preferred & f->hello.suites) &&
		     f->hello.session;
		break;
	case STT_FRAME_CHALLENGE:
		/* A valid offer holds only known suites, so must the choice. */
		ok = stt_one_bit(f->challenge.suite) &&
		     !(f->challenge.suite & ~STT_SUITES_ALL) &&
		     f->challenge.session;
		break;
	case STT_FRAME_REJECT:
		ok = f->reject.reason >= STT_REJECT_NO_LISTENER &&
		     f->reject.reason <= STT_REJECT_BUSY;
		break;
	case STT_FRAME_ACK:
		ok = f->ack.nranges <= STT_ACK_MAX_RANGES;
		break;
	case STT_FRAME_NACK:
		ok = f->nack.nranges && f->nack.nranges <= STT_NACK_MAX_RANGES;
		break;
	case STT_FRAME_STREAM_OPEN:
		ok = f->open.stream &&
		     (f->open.kind == STT_KIND_BYTES ||
		      f->open.kind == STT_KIND_MESSAGES) &&
		     f->open.priority <= STT_PRIO_MAX &&
		     f->open.max_frame >= STT_MAX_FRAME_MIN &&
		     f->open.label_len <= STT_LABEL_MAX;
		break;
	case STT_FRAME_DATA:
		ok = !(f->data.flags & ~STT_DATA_FLAGS_ALL);
		break;
	case STT_FRAME_SESSION_CLOSE:
		ok = f->close.text_len <= STT_CLOSE_TEXT_MAX;
		break;
	}
	return ok ? 0 : -EINVAL;
}

/* The variable part of a frame: where it starts, and its length. */
static size_t stt_tail(const struct stt_frame *f, const u8 **tail)
{
	switch (f->type) {
	case STT_FRAME_ACK:
		*tail = f->ack.raw;
		return (size_t)f->ack.nranges * STT_ACK_RANGE_LEN;
	case STT_FRAME_NACK:
		*tail = f->nack.raw;
		return (size_t)f->nack.nranges * STT_NACK_RANGE_LEN;
	case STT_FRAME_STREAM_OPEN:
		*tail = f->open.label;
		return f->open.label_len;
	case STT_FRAME_DATA:
		*tail = f->data.data;
		return f->data.len;
	case STT_FRAME_SESSION_CLOSE:
		*tail = f->close.text;
		return f->close.text_len;
	}
	*tail = NULL;
	return 0;
}

/*
 * Walk an ACK's ranges up to range @last, which lands in @r.  Each step
 * starts below the previous range's smallest packet, so the walk fails with
 * -EINVAL as soon as a range would reach below packet 0.
 */
static int stt_ack_walk(const struct stt_frame *f, unsigned int last,
			struct stt_range *r)
{
	const u8 *p = f->ack.raw;
	unsigned int i;
	u64 gap, len;

	if (f->ack.first_range > f->ack.largest)
		return -EINVAL;
	r->hi = f->ack.largest;
	r->lo = r->hi - f->ack.first_range;
	for (i = 0; i < last; i++, p += STT_ACK_RANGE_LEN) {
		gap = stt_get32(p);
		len = stt_get32(p + 4);
		if (r->lo < gap + 2 + len)
			return -EINVAL;
		r->hi = r->lo - gap - 2;
		r->lo = r->hi - len;
	}
	return 0;
}

/* The rules on the ranges of an ACK or NACK, whose bytes are all there. */
static int stt_ranges_check(const struct stt_frame *f)
{
	struct stt_range r;
	unsigned int i;
	const u8 *p;
	u32 count;

	switch (f->type) {
	case STT_FRAME_ACK:
		return stt_ack_walk(f, f->ack.nranges, &r);
	case STT_FRAME_NACK:
		p = f->nack.raw;
		for (i = 0; i < f->nack.nranges; i++, p += STT_NACK_RANGE_LEN) {
			count = stt_get32(p + 8);
			/* first + count - 1 must not wrap: ~first is the room. */
			if (!count || count - 1 > ~stt_get64(p))
				return -EINVAL;
		}
		break;
	}
	return 0;
}

/**
 * stt_frame_decode() - parse one frame
 * @buf: the frame, starting with its type byte
 * @len: bytes available at @buf, which may hold further frames
 * @f: filled with the frame's fields; its pointers point into @buf
 *
 * Return: the number of bytes the frame takes (at least 1), -%EBADMSG if it
 * is truncated or a length or count points past @len, -%EINVAL if a field
 * breaks a rule of the wire format, or -%EOPNOTSUPP for an unknown type.
 */
int stt_frame_decode(const u8 *buf, size_t len, struct stt_frame *f)
{
	const u8 *tail;
	size_t tlen;
	int fixed;
	int ret;

	if (!len)
		return -EBADMSG;
	fixed = stt_body_len(buf[0]);
	if (fixed < 0)
		return fixed;
	if (len - 1 < (size_t)fixed)
		return -EBADMSG;
	f->type = buf[0];
	ret = stt_fixed_decode(buf + 1, f);
	if (!ret)
		ret = stt_fields_check(f);
	if (ret)
		return ret;
	tlen = stt_tail(f, &tail);
	if (len - 1 - fixed < tlen)
		return -EBADMSG;
	ret = stt_ranges_check(f);
	if (ret)
		return ret;
	return 1 + fixed + tlen;
}

/**
 * stt_frame_encode() - write one frame of any type but ACK
 * @buf: where the frame goes
 * @cap: bytes available at @buf
 * @f: the frame; for NACK, @f->nack.raw holds the ranges in wire form
 *
 * ACK frames are built from ranges by stt_ack_encode() instead.
 *
 * Return: the number of bytes written, -%EINVAL for an ACK, an unknown type
 * or any field stt_frame_decode() would reject, or -%ENOSPC if the frame does
 * not fit in @cap bytes, in which case nothing is written.
 */
int stt_frame_encode(u8 *buf, size_t cap, const struct stt_frame *f)
{
	const u8 *tail;
	size_t tlen;
	int fixed;

	if (f->type == STT_FRAME_ACK)
		return -EINVAL;
	fixed = stt_body_len(f->type);
	if (fixed < 0 || stt_fields_check(f) || stt_ranges_check(f))
		return -EINVAL;
	tlen = stt_tail(f, &tail);
	if (cap < 1 + fixed + tlen)
		return -ENOSPC;
	buf[0] = f->type;
	memset(buf + 1, 0, fixed);
	stt_fixed_encode(buf + 1, f);
	/* An empty tail may come with a NULL pointer: memcpy() wants none. */
	if (tlen)
		memcpy(buf + 1 + fixed, tail, tlen);
	return 1 + fixed + tlen;
}

/**
 * stt_data_hdr_encode() - write the type and fixed part of a DATA frame
 * @buf: where the %STT_DATA_HDR_LEN + 1 bytes go; the data follows them
 * @f: a DATA frame; its data pointer is not used
 *
 * For a sender whose data already sits right behind the header's place.
 *
 * Return: the number of bytes written, or -EINVAL for a bad field.
 */
int stt_data_hdr_encode(u8 *buf, const struct stt_frame *f)
{
	if (f->type != STT_FRAME_DATA || stt_fields_check(f))
		return -EINVAL;
	buf[0] = f->type;
	memset(buf + 1, 0, STT_DATA_HDR_LEN);
	stt_fixed_encode(buf + 1, f);
	return 1 + STT_DATA_HDR_LEN;
}

/**
 * stt_ack_encode() - write an ACK frame acknowledging a set of ranges
 * @buf: where the frame goes
 * @cap: bytes available at @buf
 * @delay_us: the ack delay field
 * @ranges: inclusive ranges, largest first, with at least one missing packet
 *          between two of them
 * @n: number of @ranges, 1 to %STT_ACK_MAX_RANGES + 1
 *
 * Return: the number of bytes written, type byte included, -%EINVAL if the
 * ranges break the rules above or a distance in them does not fit the wire's
 * 32-bit fields, or -%ENOSPC if the frame does not fit in @cap bytes, in which
 * case nothing is written.
 */
int stt_ack_encode(u8 *buf, size_t cap, u32 delay_us,
		   const struct stt_range *ranges, unsigned int n)
{
	struct stt_frame f = { .type = STT_FRAME_ACK };
	size_t size;
	unsigned int i;
	u8 *p;

	if (!n || n - 1 > STT_ACK_MAX_RANGES)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (ranges[i].lo > ranges[i].hi ||
		    !stt_fits32(ranges[i].hi - ranges[i].lo))
			return -EINVAL;
		/* Adjacent ranges would need a gap of -1: they must merge. */
		if (i && (ranges[i].hi >= ranges[i - 1].lo ||
			  ranges[i - 1].lo - ranges[i].hi < 2 ||
			  !stt_fits32(ranges[i - 1].lo - ranges[i].hi - 2)))
			return -EINVAL;
	}
	size = 1 + STT_ACK_MIN_LEN + (size_t)(n - 1) * STT_ACK_RANGE_LEN;
	if (cap < size)
		return -ENOSPC;

	f.ack.largest = ranges[0].hi;
	f.ack.delay_us = delay_us;
	f.ack.nranges = n - 1;
	f.ack.first_range = ranges[0].hi - ranges[0].lo;
	buf[0] = STT_FRAME_ACK;
	stt_fixed_encode(buf + 1, &f);
	p = buf + 1 + STT_ACK_MIN_LEN;
	for (i = 1; i < n; i++, p += STT_ACK_RANGE_LEN) {
		stt_put32(p, ranges[i - 1].lo - ranges[i].hi - 2);
		stt_put32(p + 4, ranges[i].hi - ranges[i].lo);
	}
	return size;
}

/**
 * stt_ack_range() - one range of a parsed ACK frame
 * @f: an ACK frame from stt_frame_decode()
 * @i: 0 for the first range, 1 to @f->ack.nranges for the further ones
 * @r: filled with the range, inclusive; ranges come largest first
 */
void stt_ack_range(const struct stt_frame *f, unsigned int i,
		   struct stt_range *r)
{
	/* stt_frame_decode() walked every range: this walk cannot fail. */
	stt_ack_walk(f, i, r);
}

/**
 * stt_ack_range_next() - the next range of a parsed ACK frame
 * @f: an ACK frame from stt_frame_decode()
 * @i: the range wanted, 1 to @f->ack.nranges
 * @r: range @i - 1 on entry (from stt_ack_range() or this), range @i on
 *	return
 *
 * A step, where stt_ack_range() walks from the first range: walking all of
 * a frame's ranges with it costs their number, not its square.
 */
void stt_ack_range_next(const struct stt_frame *f, unsigned int i,
			struct stt_range *r)
{
	const u8 *p = f->ack.raw + (size_t)(i - 1) * STT_ACK_RANGE_LEN;

	/* stt_frame_decode() checked that no range reaches below 0. */
	r->hi = r->lo - stt_get32(p) - 2;
	r->lo = r->hi - stt_get32(p + 4);
}

/**
 * stt_nack_range() - one range of a parsed NACK frame
 * @f: a NACK frame from stt_frame_decode()
 * @i: 0 to @f->nack.nranges - 1
 * @r: filled with the missing packets, inclusive
 */
void stt_nack_range(const struct stt_frame *f, unsigned int i,
		    struct stt_range *r)
{
	const u8 *p = f->nack.raw + (size_t)i * STT_NACK_RANGE_LEN;

	r->lo = stt_get64(p);
	r->hi = r->lo + stt_get32(p + 8) - 1;
}

/**
 * stt_nack_encode() - write a NACK frame naming missing packet numbers
 * @buf: where to write
 * @cap: room at @buf
 * @gaps: inclusive ranges of missing numbers
 * @n: how many, 1 to %STT_NACK_MAX_RANGES
 *
 * Return: bytes written, -EINVAL for a bad range or count, or -ENOSPC.
 */
int stt_nack_encode(u8 *buf, size_t cap, const struct stt_range *gaps,
		    unsigned int n)
{
	size_t size = 1 + STT_NACK_MIN_LEN + (size_t)n * STT_NACK_RANGE_LEN;
	unsigned int i;
	u8 *p;

	if (!n || n > STT_NACK_MAX_RANGES)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (gaps[i].lo > gaps[i].hi ||
		    !stt_fits32(gaps[i].hi - gaps[i].lo + 1))
			return -EINVAL;
	if (cap < size)
		return -ENOSPC;
	buf[0] = STT_FRAME_NACK;
	stt_put16(buf + 1, n);
	p = buf + 1 + STT_NACK_MIN_LEN;
	for (i = 0; i < n; i++, p += STT_NACK_RANGE_LEN) {
		stt_put64(p, gaps[i].lo);
		stt_put32(p + 8, gaps[i].hi - gaps[i].lo + 1);
	}
	return size;
}

/**
 * stt_frames_check() - validate every frame of a protected payload
 * @p: the payload, after the packet header
 * @len: its length
 * @eliciting: set to how soon it wants an acknowledgment: %STT_ACK_NONE for
 *	acknowledgments and padding only, %STT_ACK_DELAYED for stream data,
 *	and %STT_ACK_NOW for any other frame (rare, and often awaited by the
 *	peer)
 *
 * Called before acting on any frame, so that a bad one drops the whole
 * packet.  The caps bound what one datagram may make the receiver do
 * (Documentation/stt.rst, "Work per datagram").
 *
 * Return: 0; a stt_frame_decode() error, or -EINVAL for a handshake frame;
 * or -E2BIG for more than %STT_PKT_FRAMES_MAX frames other than PADDING, or
 * more than %STT_PKT_ACKS_MAX ACK and NACK frames.
 */
int stt_frames_check(const u8 *p, size_t len, int *eliciting)
{
	unsigned int frames = 0, acks = 0;
	struct stt_frame f;
	int n;

	*eliciting = STT_ACK_NONE;
	while (len) {
		n = stt_frame_decode(p, len, &f);
		if (n < 0)
			return n;
		if (f.type != STT_FRAME_PADDING &&
		    ++frames > STT_PKT_FRAMES_MAX)
			return -E2BIG;
		switch (f.type) {
		case STT_FRAME_HELLO:
		case STT_FRAME_CHALLENGE:
		case STT_FRAME_AUTH_PROOF:
		case STT_FRAME_REJECT:
		case STT_FRAME_COOKIE:
			return -EINVAL;	/* handshake frames are never sealed */
		case STT_FRAME_ACK:
		case STT_FRAME_NACK:
			if (++acks > STT_PKT_ACKS_MAX)
				return -E2BIG;
			break;
		case STT_FRAME_PADDING:
			break;
		case STT_FRAME_DATA:
			if (*eliciting < STT_ACK_DELAYED)
				*eliciting = STT_ACK_DELAYED;
			break;
		default:
			*eliciting = STT_ACK_NOW;
		}
		p += n;
		len -= n;
	}
	return 0;
}
