// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for kernel/reorder.c and kernel/window.c, driven the way
 * input.c and stream.c drive them on one stream's receive side.  The input is
 * a receive budget and a sequence of steps:
 *
 * - a DATA frame, put in wire form and decoded by stt_frame_decode() as the
 *   receiver decodes it, at an offset near the next one expected or any
 *   offset at all; it must end within the edge last advertised (its end as
 *   input.c computes it, off + len), then stt_reorder_place() places it: a
 *   duplicate is dropped, data ahead of a gap is held by offset (as
 *   stt_input_hold() holds it), in-order data is appended past what it
 *   overlaps and the held data is drained;
 * - a read of some of the bytes delivered;
 * - a change of the namespace's memory use, which stt_window_scale() turns
 *   into the budget, and stt_window_due() into a WINDOW_UPDATE or none.
 *
 * What must hold: every frame let in lies wholly within the window, in exact
 * arithmetic; stt_reorder_place() answers what its definition says of the
 * exact range; in-order data always brings at least one new byte; the next
 * offset expected is the end of the contiguous prefix of everything let in
 * (a set of ranges kept by the harness) and never goes back; held data is
 * all ahead of it; the budget and the update decision are those of their
 * definitions, computed in 128 bits; the advertised edge never moves back.
 * A broken property calls abort().
 */
#include "fuzz.h"
#include "codec.h"
#include "reorder.h"
#include "window.h"

/* Chunks held ahead of a gap, and ranges of the exact model. */
#define MAX_HELD	256
#define MAX_RANGES	1024

struct chunk {
	u64 off;
	u64 len;
};

struct rx {
	u64 nxt;		/* rcv_nxt */
	u64 read;		/* rcv_read: bytes the reader consumed */
	u64 adv;		/* rcv_adv: the edge advertised */
	u64 budget;		/* the budget without memory pressure */
	u64 used, max;		/* the namespace's memory use and limit */
	struct chunk held[MAX_HELD];
	unsigned int nheld;
	/* The model: every range let in, disjoint, sorted, merged. */
	struct chunk r[MAX_RANGES];
	unsigned int nr;
};

/* Add [off, off + len) to the model's ranges (len > 0, no wrap). */
static void model_add(struct rx *x, u64 off, u64 len)
{
	unsigned __int128 lo = off, hi = (unsigned __int128)off + len;
	unsigned int i, j;

	for (i = 0; i < x->nr && (unsigned __int128)x->r[i].off + x->r[i].len < lo; i++)
		;
	/* Merge every range from i on that touches [lo, hi). */
	for (j = i; j < x->nr && x->r[j].off <= hi; j++) {
		if (x->r[j].off < lo)
			lo = x->r[j].off;
		if ((unsigned __int128)x->r[j].off + x->r[j].len > hi)
			hi = (unsigned __int128)x->r[j].off + x->r[j].len;
	}
	if (j == i) {
		if (x->nr == MAX_RANGES)
			return;		/* the caller stops before this */
		memmove(&x->r[i + 1], &x->r[i], (x->nr - i) * sizeof(x->r[0]));
		x->nr++;
	} else if (j > i + 1) {
		memmove(&x->r[i + 1], &x->r[j], (x->nr - j) * sizeof(x->r[0]));
		x->nr -= j - i - 1;
	}
	x->r[i].off = lo;
	x->r[i].len = hi - lo;
}

/* The end of the contiguous prefix from @start: what rcv_nxt must be. */
static u64 model_next(const struct rx *x, u64 start)
{
	unsigned int i;

	for (i = 0; i < x->nr; i++)
		if (x->r[i].off <= start && x->r[i].off + x->r[i].len > start)
			return x->r[i].off + x->r[i].len;
	return start;
}

/* stt_reorder_place() against its definition, on the exact range. */
static enum stt_reorder place(u64 next, u64 off, u64 len)
{
	enum stt_reorder got = stt_reorder_place(next, off, off + len);
	enum stt_reorder want;

	if (off > next)
		want = STT_REORDER_LATER;
	else if ((unsigned __int128)off + len <= next)
		want = STT_REORDER_DUP;
	else
		want = STT_REORDER_NEXT;
	if (got != want)
		FAIL("stt_reorder_place(%llu, %llu, +%llu) is %d, not %d",
		     (unsigned long long)next, (unsigned long long)off,
		     (unsigned long long)len, got, want);
	return got;
}

/* In-order data: appended past its first next - off bytes. */
static void append(struct rx *x, const struct chunk *c)
{
	u64 skip = x->nxt - c->off;

	if (skip >= c->len)
		FAIL("in-order chunk at %llu +%llu brings nothing past %llu",
		     (unsigned long long)c->off, (unsigned long long)c->len,
		     (unsigned long long)x->nxt);
	x->nxt = c->off + c->len;
}

/* As stt_input_hold(): by offset, a same-offset one no longer dropped. */
static void hold(struct rx *x, const struct chunk *c)
{
	unsigned int i;

	for (i = x->nheld; i > 0; i--) {
		if (x->held[i - 1].off == c->off &&
		    x->held[i - 1].len >= c->len)
			return;
		if (x->held[i - 1].off <= c->off)
			break;
	}
	memmove(&x->held[i + 1], &x->held[i],
		(x->nheld - i) * sizeof(x->held[0]));
	x->held[i] = *c;
	x->nheld++;
}

/* As stt_input_drain_ooo(). */
static void drain(struct rx *x)
{
	struct chunk c;

	while (x->nheld) {
		c = x->held[0];
		switch (place(x->nxt, c.off, c.len)) {
		case STT_REORDER_LATER:
			return;
		case STT_REORDER_NEXT:
			append(x, &c);
			break;
		default:
			break;
		}
		memmove(&x->held[0], &x->held[1],
			(x->nheld - 1) * sizeof(x->held[0]));
		x->nheld--;
	}
}

/* stt_window_scale() against its definition (arguments below 2^53). */
static u64 scale(u64 budget, u64 used, u64 max)
{
	u64 got = stt_window_scale(budget, used, max), want;
	unsigned __int128 frac;

	if (used <= max / 2) {
		want = budget;
	} else if (used >= max) {
		want = 0;
	} else {
		frac = ((unsigned __int128)(max - used) << 10) / (max - max / 2);
		want = ((unsigned __int128)budget * frac) >> 10;
	}
	if (got != want || got > budget)
		FAIL("stt_window_scale(%llu, %llu, %llu) is %llu, not %llu",
		     (unsigned long long)budget, (unsigned long long)used,
		     (unsigned long long)max, (unsigned long long)got,
		     (unsigned long long)want);
	/* More memory in use never grants more. */
	if (used < max && stt_window_scale(budget, used + 1, max) > got)
		FAIL("stt_window_scale() grows with the memory used");
	return got;
}

/* The reader's budget now, and an update if one is due (as stream.c). */
static void update(struct rx *x)
{
	u64 budget = scale(x->budget, x->used, x->max);
	unsigned __int128 edge = (unsigned __int128)x->read + budget;
	bool due = stt_window_due(x->adv, x->read, budget);
	bool want = budget && edge > x->adv && edge - x->adv >= budget / 2;

	if (due != want)
		FAIL("stt_window_due(%llu, %llu, %llu) is %d",
		     (unsigned long long)x->adv, (unsigned long long)x->read,
		     (unsigned long long)budget, due);
	if (due)
		x->adv = edge;
}

/*
 * A DATA frame in wire form, decoded as the receiver decodes it.  Returns
 * false when the decoder refuses it (the receiver drops the packet).
 */
static bool data_frame(struct fuzz_input *in, u64 off, u16 len,
		       struct stt_frame *f)
{
	static u8 buf[1 + STT_DATA_HDR_LEN + 65535];
	u8 *b = buf;
	int n;

	*b++ = STT_FRAME_DATA;
	*b++ = 0;
	*b++ = 1;			/* stream 1 */
	*b++ = fuzz_u8(in) & STT_DATA_MSG_END;
	*b++ = 0;
	for (n = 56; n >= 0; n -= 8)
		*b++ = off >> n;
	*b++ = len >> 8;
	*b++ = len;
	n = stt_frame_decode(buf, 1 + STT_DATA_HDR_LEN + len, f);
	if (n < 0)
		return false;
	if (n != 1 + STT_DATA_HDR_LEN + len || f->type != STT_FRAME_DATA ||
	    f->data.offset != off || f->data.len != len)
		FAIL("DATA frame at %llu +%u decodes wrong",
		     (unsigned long long)off, len);
	return true;
}

static void receive(struct rx *x, struct fuzz_input *in, u8 op)
{
	struct stt_frame f;
	struct chunk c;
	u64 off, before = x->nxt;
	u16 len = fuzz_be(in, 2) % (op & 0x80 ? 65536 : 2048);

	switch (op >> 4 & 3) {
	case 0:
		off = x->nxt + fuzz_be(in, 2);
		break;
	case 1:
		off = x->nxt - fuzz_be(in, 2);
		break;
	case 2:
		off = ~(u64)0 - fuzz_be(in, 2);		/* its end wraps */
		break;
	default:
		off = fuzz_be(in, 8);
		break;
	}
	if (!data_frame(in, off, len, &f))
		return;
	c.off = f.data.offset;
	c.len = f.data.len;
	/* input.c: end = off + len, and data beyond the edge resets. */
	if (c.off + c.len > x->adv)
		return;
	if ((unsigned __int128)c.off + c.len > x->adv)
		FAIL("DATA at %llu +%llu passes the edge %llu: its end wraps",
		     (unsigned long long)c.off, (unsigned long long)c.len,
		     (unsigned long long)x->adv);
	switch (place(x->nxt, c.off, c.len)) {
	case STT_REORDER_LATER:
		/* The harness holds so many; the model forgets no more. */
		if (x->nheld == MAX_HELD)
			return;
		model_add(x, c.off, c.len);
		hold(x, &c);
		break;
	case STT_REORDER_NEXT:
		model_add(x, c.off, c.len);
		append(x, &c);
		drain(x);
		break;
	default:
		break;
	}
	if (x->nxt < before)
		FAIL("the next offset went back from %llu to %llu",
		     (unsigned long long)before, (unsigned long long)x->nxt);
	if (x->nheld && x->held[0].off <= x->nxt)
		FAIL("held data at %llu is not ahead of %llu",
		     (unsigned long long)x->held[0].off,
		     (unsigned long long)x->nxt);
}

int stt_fuzz_one(const u8 *data, size_t size)
{
	struct fuzz_input in = { data, size };
	static struct rx x;
	u64 start, adv;
	u8 op;

	memset(&x, 0, sizeof(x));
	/* The budget: a receive buffer, at most 2^31 (SO_RCVBUF's range). */
	x.budget = 1 + fuzz_be(&in, 4) % 0x80000000;
	x.max = 1 + fuzz_be(&in, 6);
	x.used = 0;
	/* A stream that already received some: any start below 2^62. */
	start = fuzz_be(&in, 8) >> 2;
	x.nxt = start;
	x.read = start;
	x.adv = start + x.budget;

	while (in.left && x.nr < MAX_RANGES - 1) {
		op = fuzz_u8(&in);
		adv = x.adv;
		switch (op & 3) {
		case 0:
		case 1:
			receive(&x, &in, op);
			if (x.nxt != model_next(&x, start))
				FAIL("next offset %llu, the data let in ends %llu",
				     (unsigned long long)x.nxt,
				     (unsigned long long)model_next(&x, start));
			break;
		case 2:
			/* The reader takes some of what was delivered. */
			x.read += fuzz_be(&in, 3) % (x.nxt - x.read + 1);
			update(&x);
			break;
		default:
			x.used = fuzz_be(&in, 6) % (x.max + x.max / 4 + 1);
			update(&x);
			break;
		}
		if (x.adv < adv)
			FAIL("the advertised edge went back");
	}
	return 0;
}
