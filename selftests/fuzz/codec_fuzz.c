// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for kernel/codec.c: the input is a datagram, parsed the
 * way the receiver parses one (the header, then stt_frame_decode() in a loop
 * until the payload ends or a frame is refused).  Every frame that decodes
 * must encode back to the same bytes, must decode alone to the same length
 * and must be refused as truncated one byte shorter; ACK and NACK ranges must
 * be what their encoders take back.  A broken property calls abort(), and
 * ASan catches any read outside the input.
 */
#include "fuzz.h"
#include "codec.h"

/*
 * Bytes the encoders must leave alone.  Buffers are allocated to the exact
 * size checked, so that ASan sees a write past it, and start filled with
 * this so that a write they should not make shows.
 */
#define CANARY 0xa5

static u8 *alloc_filled(size_t n)
{
	/* malloc(0) under ASan: a pointer at which no byte may be written. */
	u8 *p = malloc(n);

	if (!p)
		FAIL("out of memory");
	memset(p, CANARY, n);
	return p;
}

static bool all_canary(const u8 *p, size_t n)
{
	while (n--)
		if (*p++ != CANARY)
			return false;
	return true;
}

static void check_hdr(const u8 *buf)
{
	struct stt_hdr hdr;
	u8 out[STT_HDR_LEN];

	if (stt_hdr_decode(buf, STT_HDR_LEN, &hdr))
		FAIL("a header that decoded once fails on its own");
	stt_hdr_encode(out, &hdr);
	if (memcmp(out, buf, STT_HDR_LEN))
		FAIL("header does not round-trip");
}

/*
 * Walk every range of an ACK: each must be well formed, lie below the one
 * before with a missing number between them, and start at the largest
 * acknowledged number.  Returns their number.
 */
static unsigned int ack_ranges(const struct stt_frame *f, struct stt_range *r)
{
	unsigned int i;

	for (i = 0; i <= f->ack.nranges; i++) {
		stt_ack_range(f, i, &r[i]);
		if (r[i].lo > r[i].hi)
			FAIL("ACK range %u is upside down", i);
		if (!i && r[i].hi != f->ack.largest)
			FAIL("ACK first range does not end at largest");
		if (i && (r[i].hi >= r[i - 1].lo || r[i - 1].lo - r[i].hi < 2))
			FAIL("ACK range %u overlaps or touches the one above",
			     i);
	}
	return i;
}

static unsigned int nack_ranges(const struct stt_frame *f, struct stt_range *r)
{
	unsigned int i;

	for (i = 0; i < f->nack.nranges; i++) {
		stt_nack_range(f, i, &r[i]);
		/* The wire's count is a u32, so no range can hold more. */
		if (r[i].lo > r[i].hi || r[i].hi - r[i].lo >= 0xffffffffULL)
			FAIL("NACK range %u is not a valid range", i);
	}
	return i;
}

/*
 * Encode @f into a buffer of exactly @cap bytes.  ACK and NACK go through
 * their range encoders, the way the sender builds them; NACK also through
 * stt_frame_encode(), which takes the ranges in wire form.
 */
static int encode(u8 *out, size_t cap, const struct stt_frame *f, u8 *alt)
{
	struct stt_range r[STT_ACK_MAX_RANGES + 1];
	unsigned int n;

	switch (f->type) {
	case STT_FRAME_ACK:
		n = ack_ranges(f, r);
		return stt_ack_encode(out, cap, f->ack.delay_us, r, n);
	case STT_FRAME_NACK:
		n = nack_ranges(f, r);
		if (alt && stt_frame_encode(alt, cap, f) != (int)cap)
			FAIL("stt_frame_encode() refuses a decoded NACK");
		return stt_nack_encode(out, cap, r, n);
	}
	return stt_frame_encode(out, cap, f);
}

/* What must hold of frame @buf, which decoded to @f in @len bytes. */
static void check_frame(const u8 *buf, size_t len, const struct stt_frame *f)
{
	struct stt_frame g;
	u8 *copy, *out, *alt;
	int ret;

	if (f->type != buf[0])
		FAIL("frame type %#x decoded as %#x", buf[0], f->type);

	/* Alone in a buffer of its size: the same length, nothing read past. */
	copy = alloc_filled(len);
	memcpy(copy, buf, len);
	ret = stt_frame_decode(copy, len, &g);
	if (ret != (int)len)
		FAIL("frame of %zu bytes decodes alone to %d", len, ret);
	ret = stt_frame_decode(copy, len - 1, &g);
	if (ret != -EBADMSG)
		FAIL("frame of %zu bytes cut by one decodes to %d", len, ret);
	free(copy);

	out = alloc_filled(len);
	alt = alloc_filled(len);
	ret = encode(out, len, f, f->type == STT_FRAME_NACK ? alt : NULL);
	if (ret != (int)len)
		FAIL("frame type %#x of %zu bytes encodes to %d",
		     f->type, len, ret);
	if (memcmp(out, buf, len))
		FAIL("frame type %#x does not round-trip", f->type);
	if (f->type == STT_FRAME_NACK && memcmp(alt, buf, len))
		FAIL("NACK through stt_frame_encode() does not round-trip");
	free(alt);
	free(out);

	/* One byte short: -ENOSPC, and nothing written. */
	out = alloc_filled(len - 1);
	ret = encode(out, len - 1, f, NULL);
	if (ret != -ENOSPC)
		FAIL("frame type %#x into %zu bytes gives %d",
		     f->type, len - 1, ret);
	if (!all_canary(out, len - 1))
		FAIL("frame type %#x written where it does not fit",
		     f->type);
	free(out);

	if (f->type == STT_FRAME_DATA) {
		u8 hdr[1 + STT_DATA_HDR_LEN];

		if (stt_data_hdr_encode(hdr, f) != (int)sizeof(hdr) ||
		    memcmp(hdr, buf, sizeof(hdr)))
			FAIL("DATA header does not round-trip");
	}
}

int stt_fuzz_one(const u8 *data, size_t size)
{
	struct stt_frame f;
	struct stt_hdr hdr;
	const u8 *p = data;
	size_t len = size;
	int n;

	/*
	 * The receiver drops a datagram whose header is bad.  An input that has
	 * no valid header is taken as a bare payload instead, so that the frame
	 * vectors of the seed corpus reach the frame parser as they are.
	 */
	n = stt_hdr_decode(data, size, &hdr);
	if (!n) {
		check_hdr(data);
		p += STT_HDR_LEN;
		len -= STT_HDR_LEN;
	} else if (n != -EBADMSG && n != -EPROTONOSUPPORT && n != -EINVAL) {
		FAIL("stt_hdr_decode() returned %d", n);
	}

	while (len) {
		n = stt_frame_decode(p, len, &f);
		if (n < 0) {
			if (n != -EBADMSG && n != -EINVAL && n != -EOPNOTSUPP)
				FAIL("stt_frame_decode() returned %d", n);
			break;
		}
		if (!n || (size_t)n > len)
			FAIL("frame length %d out of %zu bytes left", n, len);
		check_frame(p, n, &f);
		p += n;
		len -= n;
	}
	return 0;
}
