// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for kernel/ranges.c: the input is a base packet number
 * and a sequence of operations on one struct stt_ranges (add, has, drop_below,
 * gaps) on numbers within WINDOW of the base.  After each operation the set
 * must keep the invariants ranges.h documents (at most STT_RANGES_MAX
 * ranges, each well formed, highest first, neighbours never touching) and
 * hold exactly what a bitmap over the window holds, the bitmap forgetting its
 * lowest run whenever it has more runs than the set may keep.  The ranges
 * must also survive the trip through an ACK or NACK frame that the receiver
 * makes them take.  A broken property calls abort().
 */
#include "fuzz.h"
#include "ranges.h"

/*
 * Numbers the operations name: base to base + WINDOW - 1.  Wide enough for
 * far more than STT_RANGES_MAX runs, so that the set has to forget some.
 */
#define WINDOW	1024

/* The reference: which numbers of the window are in the set. */
struct model {
	u64 base;
	u64 bits[WINDOW / 64];
};

static bool model_has(const struct model *m, unsigned int off)
{
	return (m->bits[off / 64] >> (off % 64)) & 1;
}

/* The bits of word @w that lie in offsets @lo to @hi, inclusive. */
static u64 word_mask(unsigned int w, unsigned int lo, unsigned int hi)
{
	unsigned int first = lo > w * 64 ? lo % 64 : 0;
	unsigned int last = hi < w * 64 + 63 ? hi % 64 : 63;

	return (~(u64)0 >> (63 - last)) & (~(u64)0 << first);
}

/* Whole words at a time: the checks run after every operation. */
static void model_fill(struct model *m, unsigned int lo, unsigned int hi,
		       bool on)
{
	unsigned int w;

	for (w = lo / 64; w <= hi / 64; w++) {
		if (on)
			m->bits[w] |= word_mask(w, lo, hi);
		else
			m->bits[w] &= ~word_mask(w, lo, hi);
	}
}

static bool model_all(const struct model *m, unsigned int lo, unsigned int hi,
		      bool on)
{
	unsigned int w;
	u64 mask;

	for (w = lo / 64; w <= hi / 64; w++) {
		mask = word_mask(w, lo, hi);
		if ((m->bits[w] & mask) != (on ? mask : 0))
			return false;
	}
	return true;
}

/* How many runs of consecutive numbers: set bits with a clear one below. */
static unsigned int model_count(const struct model *m)
{
	unsigned int w, n = 0;
	u64 below = 0, starts;

	for (w = 0; w < WINDOW / 64; w++) {
		starts = m->bits[w] & ~(m->bits[w] << 1 | below);
		n += __builtin_popcountll(starts);
		below = m->bits[w] >> 63;
	}
	return n;
}

/* The model's runs, highest first, as ranges; for the rare gaps check. */
static unsigned int model_runs(const struct model *m, struct stt_range *r)
{
	unsigned int n = 0;
	int off = WINDOW - 1;

	while (off >= 0) {
		if (!model_has(m, off)) {
			off--;
			continue;
		}
		r[n].hi = m->base + off;
		while (off >= 0 && model_has(m, off))
			off--;
		r[n++].lo = m->base + (off + 1);
	}
	return n;
}

/* The set is full: a further run pushes the lowest one out. */
static void model_add(struct model *m, unsigned int off)
{
	unsigned int lo = 0, hi;

	model_fill(m, off, off, true);
	if (model_count(m) <= STT_RANGES_MAX)
		return;
	while (!model_has(m, lo))
		lo++;
	for (hi = lo; hi + 1 < WINDOW && model_has(m, hi + 1); hi++)
		;
	model_fill(m, lo, hi, false);
}

/* A NACK of the first gaps, decoded again, gives the same ranges. */
static void check_nack(const struct stt_range *gaps, unsigned int count)
{
	u8 buf[1 + STT_NACK_MIN_LEN + STT_NACK_MAX_RANGES * STT_NACK_RANGE_LEN];
	struct stt_frame f;
	struct stt_range r;
	unsigned int i;
	int len;

	if (count > STT_NACK_MAX_RANGES)
		count = STT_NACK_MAX_RANGES;
	if (!count)
		return;
	len = stt_nack_encode(buf, sizeof(buf), gaps, count);
	if (len <= 0 || stt_frame_decode(buf, len, &f) != len ||
	    f.type != STT_FRAME_NACK || f.nack.nranges != count)
		FAIL("the gaps do not make a NACK frame");
	for (i = 0; i < count; i++) {
		stt_nack_range(&f, i, &r);
		if (r.lo != gaps[i].lo || r.hi != gaps[i].hi)
			FAIL("gap %u changed in its NACK frame", i);
	}
}

/*
 * Pass the first STT_ACK_MAX_RANGES + 1 ranges to stt_ack_encode(), which
 * ranges.h promises works, and read them back from the frame.
 */
static void check_ack(const struct stt_ranges *s)
{
	u8 buf[1 + STT_ACK_MIN_LEN + STT_ACK_MAX_RANGES * STT_ACK_RANGE_LEN];
	unsigned int i, n = s->n;
	struct stt_frame f;
	struct stt_range r;
	int len;

	if (n > STT_ACK_MAX_RANGES + 1)
		n = STT_ACK_MAX_RANGES + 1;
	if (!n)
		return;
	len = stt_ack_encode(buf, sizeof(buf), 0, s->r, n);
	if (len <= 0 || stt_frame_decode(buf, len, &f) != len ||
	    f.type != STT_FRAME_ACK || f.ack.nranges != n - 1)
		FAIL("the ranges do not make an ACK frame");
	for (i = 0; i < n; i++) {
		stt_ack_range(&f, i, &r);
		if (r.lo != s->r[i].lo || r.hi != s->r[i].hi)
			FAIL("range %u changed in its ACK frame", i);
	}
}

/*
 * The invariants, then the model: each range exactly covers set bits and
 * the numbers between ranges are clear.  Ranges that never touch and cover
 * the set bits and nothing else are the model's runs.
 */
static void check(const struct stt_ranges *s, const struct model *m)
{
	unsigned int i, lo, hi, prev = WINDOW;

	if (s->n > STT_RANGES_MAX)
		FAIL("%u ranges kept, more than %d", s->n, STT_RANGES_MAX);
	for (i = 0; i < s->n; i++) {
		if (s->r[i].lo > s->r[i].hi)
			FAIL("range %u is upside down", i);
		if (i && s->r[i].hi >= s->r[i - 1].lo)
			FAIL("range %u is not below range %u", i, i - 1);
		if (i && s->r[i - 1].lo - s->r[i].hi < 2)
			FAIL("range %u touches range %u", i, i - 1);
		if (s->r[i].lo < m->base || s->r[i].hi - m->base >= WINDOW)
			FAIL("range %u is outside the window", i);
		lo = s->r[i].lo - m->base;
		hi = s->r[i].hi - m->base;
		if (hi + 1 < prev && !model_all(m, hi + 1, prev - 1, false))
			FAIL("numbers above range %u are in the model", i);
		if (!model_all(m, lo, hi, true))
			FAIL("range %u holds numbers the model has not", i);
		prev = lo;
	}
	if (prev && !model_all(m, 0, prev - 1, false))
		FAIL("numbers below the lowest range are in the model");
	if (model_count(m) != s->n)
		FAIL("%u ranges kept, the model has %u", s->n, model_count(m));
}

static void check_gaps(const struct stt_ranges *s, const struct model *m,
		       unsigned int max)
{
	struct stt_range r[WINDOW / 2 + 1];
	unsigned int i, n, want, got;
	struct stt_range *gaps;

	/* Exactly @max entries, so that ASan sees a store past them. */
	gaps = malloc(max * sizeof(*gaps));
	if (!gaps)
		FAIL("out of memory");
	got = stt_ranges_gaps(s, gaps, max);
	n = model_runs(m, r);
	want = n ? n - 1 : 0;
	if (want > max)
		want = max;
	if (got != want)
		FAIL("%u gaps, the model has %u", got, want);
	for (i = 0; i < got; i++)
		if (gaps[i].hi != r[i].lo - 1 || gaps[i].lo != r[i + 1].hi + 1)
			FAIL("gap %u differs from the model", i);
	check_nack(gaps, got);
	free(gaps);
}

/* Add base + @off to the set and to the model; the caller checks them. */
static void add_pn(struct stt_ranges *s, struct model *m, unsigned int off)
{
	u64 pn = m->base + off;

	if (stt_ranges_add(s, pn) == model_has(m, off))
		FAIL("stt_ranges_add(%llu) returned %s", (unsigned long long)pn,
		     model_has(m, off) ? "true for a number it had" :
		     "false for a new number");
	model_add(m, off);
}

int stt_fuzz_one(const u8 *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct stt_ranges s;
	struct model m;
	unsigned int i, off, count, step;
	u8 op;
	u64 pn;

	/* Any base, moved down so that the window ends by U64_MAX at most. */
	memset(&m, 0, sizeof(m));
	m.base = fuzz_be(&in, 8);
	if (m.base > ~(u64)0 - (WINDOW - 1))
		m.base = ~(u64)0 - (WINDOW - 1);

	stt_ranges_init(&s);
	check(&s, &m);
	while (in.left) {
		op = fuzz_u8(&in);
		off = fuzz_u8(&in);
		off = (off << 8 | fuzz_u8(&in)) % WINDOW;
		pn = m.base + off;
		switch (op % 8) {
		case 4:
			/*
			 * A series: numbers 1 to 4 apart, up or down from
			 * @off.  It fills the set to its limit in a few bytes,
			 * where single adds would need hundreds.
			 */
			count = fuzz_u8(&in);
			step = 1 + (op >> 3) % 4;
			if (op & 0x80)
				step = WINDOW - step;
			for (i = 0; i < count; i++) {
				add_pn(&s, &m, off);
				off = (off + step) % WINDOW;
			}
			break;
		case 5:
			if (stt_ranges_has(&s, pn) != model_has(&m, off))
				FAIL("stt_ranges_has(%llu) is not the model's",
				     (unsigned long long)pn);
			break;
		case 6:
			stt_ranges_drop_below(&s, pn);
			if (off)
				model_fill(&m, 0, off - 1, false);
			break;
		case 7:
			check_gaps(&s, &m, off % (STT_RANGES_MAX + 2));
			break;
		default:
			add_pn(&s, &m, off);
			break;
		}
		/*
		 * Once per operation, not per add of a series: a set gone
		 * wrong stays wrong, and the checks cost more than the adds.
		 */
		check(&s, &m);
		check_ack(&s);
		/* Nothing was ever added outside the window. */
		if ((m.base && stt_ranges_has(&s, m.base - 1)) ||
		    (m.base + WINDOW && stt_ranges_has(&s, m.base + WINDOW)))
			FAIL("a number outside the window is in the set");
	}
	return 0;
}
