// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kernel/ranges.c in user space: merging, gaps, trimming, the
 * eviction of the lowest range when the set is full, the ends of the u64
 * range, and a long random run checked against a bitmap.
 */
#include "kselftest_harness.h"
#include "ranges.h"

#define PN_MAX (~(u64)0)

/* Fixed-seed xorshift64, so that a failure can be replayed. */
static u64 rnd_state = 0x2545f4914f6cdd1dULL;

static u64 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static void expect_range(struct __test_metadata *_metadata, int line,
			 const struct stt_ranges *s, unsigned int i, u64 lo, u64 hi)
{
	EXPECT_EQ(lo, s->r[i].lo) {
		TH_LOG("range %u, checked at line %d", i, line);
	}
	EXPECT_EQ(hi, s->r[i].hi) {
		TH_LOG("range %u, checked at line %d", i, line);
	}
}

#define EXPECT_RANGE(s, i, l, h) expect_range(_metadata, __LINE__, &(s), i, l, h)

TEST(starts_empty)
{
	struct stt_ranges s;
	struct stt_range g[4];

	stt_ranges_init(&s);
	EXPECT_EQ(0, s.n);
	EXPECT_FALSE(stt_ranges_has(&s, 0));
	EXPECT_FALSE(stt_ranges_has(&s, PN_MAX));
	EXPECT_EQ(0, stt_ranges_gaps(&s, g, 4));
	stt_ranges_drop_below(&s, 10);
	EXPECT_EQ(0, s.n);

	EXPECT_TRUE(stt_ranges_add(&s, 0));
	EXPECT_FALSE(stt_ranges_add(&s, 0));
	EXPECT_EQ(1, s.n);
	EXPECT_RANGE(s, 0, 0, 0);
	EXPECT_TRUE(stt_ranges_has(&s, 0));
	EXPECT_FALSE(stt_ranges_has(&s, 1));
	EXPECT_EQ(0, stt_ranges_gaps(&s, g, 4));

	stt_ranges_init(&s);
	EXPECT_EQ(0, s.n);
	EXPECT_FALSE(stt_ranges_has(&s, 0));
}

TEST(descending_order)
{
	struct stt_ranges s;

	stt_ranges_init(&s);
	EXPECT_TRUE(stt_ranges_add(&s, 5));
	EXPECT_TRUE(stt_ranges_add(&s, 1));
	EXPECT_TRUE(stt_ranges_add(&s, 9));
	EXPECT_TRUE(stt_ranges_add(&s, 3));
	EXPECT_TRUE(stt_ranges_add(&s, 7));
	ASSERT_EQ(5, s.n);
	EXPECT_RANGE(s, 0, 9, 9);
	EXPECT_RANGE(s, 1, 7, 7);
	EXPECT_RANGE(s, 2, 5, 5);
	EXPECT_RANGE(s, 3, 3, 3);
	EXPECT_RANGE(s, 4, 1, 1);
	EXPECT_FALSE(stt_ranges_has(&s, 0));
	EXPECT_FALSE(stt_ranges_has(&s, 4));
	EXPECT_FALSE(stt_ranges_has(&s, 10));
	EXPECT_TRUE(stt_ranges_has(&s, 7));
}

TEST(merging)
{
	struct stt_ranges s;

	stt_ranges_init(&s);
	EXPECT_TRUE(stt_ranges_add(&s, 10));
	EXPECT_TRUE(stt_ranges_add(&s, 11));	/* extends up */
	EXPECT_TRUE(stt_ranges_add(&s, 9));	/* extends down */
	ASSERT_EQ(1, s.n);
	EXPECT_RANGE(s, 0, 9, 11);
	EXPECT_FALSE(stt_ranges_add(&s, 9));
	EXPECT_FALSE(stt_ranges_add(&s, 10));
	EXPECT_FALSE(stt_ranges_add(&s, 11));

	/* Filling the single number between two ranges joins them. */
	EXPECT_TRUE(stt_ranges_add(&s, 13));
	EXPECT_TRUE(stt_ranges_add(&s, 7));
	ASSERT_EQ(3, s.n);
	EXPECT_TRUE(stt_ranges_add(&s, 12));
	ASSERT_EQ(2, s.n);
	EXPECT_RANGE(s, 0, 9, 13);
	EXPECT_RANGE(s, 1, 7, 7);
	EXPECT_TRUE(stt_ranges_add(&s, 8));
	ASSERT_EQ(1, s.n);
	EXPECT_RANGE(s, 0, 7, 13);

	/* A gap of two: the first number extends one side only. */
	EXPECT_TRUE(stt_ranges_add(&s, 16));
	EXPECT_TRUE(stt_ranges_add(&s, 15));
	ASSERT_EQ(2, s.n);
	EXPECT_RANGE(s, 0, 15, 16);
	EXPECT_RANGE(s, 1, 7, 13);
	EXPECT_TRUE(stt_ranges_add(&s, 14));
	ASSERT_EQ(1, s.n);
	EXPECT_RANGE(s, 0, 7, 16);
}

TEST(merging_in_the_middle)
{
	struct stt_ranges s;
	u64 pn;

	/* Ranges above and below must move when the middle ones join. */
	stt_ranges_init(&s);
	for (pn = 0; pn < 40; pn += 4)
		EXPECT_TRUE(stt_ranges_add(&s, pn));
	ASSERT_EQ(10, s.n);
	EXPECT_TRUE(stt_ranges_add(&s, 17));
	EXPECT_TRUE(stt_ranges_add(&s, 19));
	ASSERT_EQ(10, s.n);
	EXPECT_TRUE(stt_ranges_add(&s, 18));
	ASSERT_EQ(9, s.n);
	EXPECT_RANGE(s, 0, 36, 36);
	EXPECT_RANGE(s, 4, 16, 20);
	EXPECT_RANGE(s, 5, 12, 12);
	EXPECT_RANGE(s, 8, 0, 0);
}

TEST(adjacency)
{
	struct stt_ranges s;
	u64 pn;

	/* Numbers arriving in order always make a single range. */
	stt_ranges_init(&s);
	for (pn = 0; pn < 1000; pn++)
		ASSERT_TRUE(stt_ranges_add(&s, pn));
	ASSERT_EQ(1, s.n);
	EXPECT_RANGE(s, 0, 0, 999);

	/* So do numbers arriving in reverse. */
	stt_ranges_init(&s);
	for (pn = 1000; pn-- > 0;)
		ASSERT_TRUE(stt_ranges_add(&s, pn));
	ASSERT_EQ(1, s.n);
	EXPECT_RANGE(s, 0, 0, 999);
}

TEST(gaps)
{
	struct stt_ranges s;
	struct stt_range g[4];
	u64 pn;

	stt_ranges_init(&s);
	for (pn = 20; pn <= 25; pn++)
		stt_ranges_add(&s, pn);
	for (pn = 10; pn <= 15; pn++)
		stt_ranges_add(&s, pn);
	stt_ranges_add(&s, 3);
	ASSERT_EQ(3, s.n);

	memset(g, 0xaa, sizeof(g));
	ASSERT_EQ(2, stt_ranges_gaps(&s, g, 4));
	EXPECT_EQ(16, g[0].lo);
	EXPECT_EQ(19, g[0].hi);
	EXPECT_EQ(4, g[1].lo);
	EXPECT_EQ(9, g[1].hi);

	/* max is respected, the highest gaps come first. */
	memset(g, 0xaa, sizeof(g));
	ASSERT_EQ(1, stt_ranges_gaps(&s, g, 1));
	EXPECT_EQ(16, g[0].lo);
	EXPECT_EQ(19, g[0].hi);
	EXPECT_EQ(0xaaaaaaaaaaaaaaaaULL, g[1].lo);
	EXPECT_EQ(0, stt_ranges_gaps(&s, g, 0));

	/* A gap of one number. */
	stt_ranges_add(&s, 5);
	ASSERT_EQ(3, stt_ranges_gaps(&s, g, 4));
	EXPECT_EQ(4, g[2].lo);
	EXPECT_EQ(4, g[2].hi);
	EXPECT_EQ(6, g[1].lo);
	EXPECT_EQ(9, g[1].hi);
}

TEST(ack_history_reaches_back_three_frames)
{
	struct stt_ack_history h;
	struct stt_ranges s;
	u64 floor = 0, pn;

	memset(&h, 0, sizeof(h));
	EXPECT_EQ(0, stt_ack_history_sent(&h, 10));
	EXPECT_EQ(0, stt_ack_history_sent(&h, 20));
	/* Numbers up to 10 went in all three frames. */
	EXPECT_EQ(10, stt_ack_history_sent(&h, 30));
	EXPECT_EQ(20, stt_ack_history_sent(&h, 40));
	EXPECT_EQ(30, stt_ack_history_sent(&h, 40));	/* the same largest */
	EXPECT_EQ(40, stt_ack_history_sent(&h, 41));
	EXPECT_EQ(40, stt_ack_history_sent(&h, 50));

	/*
	 * A receiver missing every tenth packet: with the floor, its ACK
	 * frames report a few ranges, not one per packet ever lost.
	 */
	memset(&h, 0, sizeof(h));
	stt_ranges_init(&s);
	for (pn = 1; pn <= 1000; pn++) {
		if (!(pn % 10))
			continue;
		stt_ranges_add(&s, pn);
		if (pn % 2)
			continue;
		stt_ranges_drop_below(&s, floor);
		ASSERT_GE(s.n, 1);
		EXPECT_LE(s.n, 3);
		floor = stt_ack_history_sent(&h, s.r[0].hi);
	}
	/* The floor trails the largest by three frames, two packets each. */
	EXPECT_EQ(994, floor);
}

TEST(drop_below)
{
	struct stt_ranges s;
	u64 pn;

	stt_ranges_init(&s);
	for (pn = 20; pn <= 25; pn++)
		stt_ranges_add(&s, pn);
	for (pn = 10; pn <= 15; pn++)
		stt_ranges_add(&s, pn);
	stt_ranges_add(&s, 3);
	ASSERT_EQ(3, s.n);

	stt_ranges_drop_below(&s, 0);
	ASSERT_EQ(3, s.n);
	stt_ranges_drop_below(&s, 3);
	ASSERT_EQ(3, s.n);
	EXPECT_RANGE(s, 2, 3, 3);
	stt_ranges_drop_below(&s, 4);		/* a whole range */
	ASSERT_EQ(2, s.n);
	stt_ranges_drop_below(&s, 10);		/* exactly at a low end */
	ASSERT_EQ(2, s.n);
	EXPECT_RANGE(s, 1, 10, 15);
	stt_ranges_drop_below(&s, 12);		/* straddling: trimmed */
	ASSERT_EQ(2, s.n);
	EXPECT_RANGE(s, 0, 20, 25);
	EXPECT_RANGE(s, 1, 12, 15);
	EXPECT_FALSE(stt_ranges_has(&s, 11));
	EXPECT_TRUE(stt_ranges_has(&s, 12));
	stt_ranges_drop_below(&s, 15);		/* down to one number */
	EXPECT_RANGE(s, 1, 15, 15);
	stt_ranges_drop_below(&s, 17);		/* in a gap */
	ASSERT_EQ(1, s.n);
	EXPECT_RANGE(s, 0, 20, 25);
	stt_ranges_drop_below(&s, 25);
	ASSERT_EQ(1, s.n);
	EXPECT_RANGE(s, 0, 25, 25);
	stt_ranges_drop_below(&s, 26);
	EXPECT_EQ(0, s.n);

	/* Forgotten numbers can be added again. */
	EXPECT_TRUE(stt_ranges_add(&s, 3));
	EXPECT_EQ(1, s.n);

	/* Several ranges at once. */
	for (pn = 10; pn < 100; pn += 10)
		stt_ranges_add(&s, pn);
	ASSERT_EQ(10, s.n);
	stt_ranges_drop_below(&s, 55);
	ASSERT_EQ(4, s.n);
	EXPECT_RANGE(s, 3, 60, 60);
}

TEST(eviction_of_the_lowest)
{
	struct stt_ranges s, before;
	u64 pn;

	stt_ranges_init(&s);
	for (pn = 0; pn < 4 * STT_RANGES_MAX; pn += 4)
		ASSERT_TRUE(stt_ranges_add(&s, pn));
	ASSERT_EQ(STT_RANGES_MAX, s.n);

	/* A new highest range pushes out the lowest one, 0. */
	EXPECT_TRUE(stt_ranges_add(&s, 1000));
	ASSERT_EQ(STT_RANGES_MAX, s.n);
	EXPECT_RANGE(s, 0, 1000, 1000);
	EXPECT_RANGE(s, 1, 252, 252);
	EXPECT_RANGE(s, STT_RANGES_MAX - 1, 4, 4);
	EXPECT_FALSE(stt_ranges_has(&s, 0));

	/* A new range in the middle pushes out the lowest one, 4. */
	EXPECT_TRUE(stt_ranges_add(&s, 130));
	ASSERT_EQ(STT_RANGES_MAX, s.n);
	EXPECT_TRUE(stt_ranges_has(&s, 130));
	EXPECT_FALSE(stt_ranges_has(&s, 4));
	EXPECT_RANGE(s, STT_RANGES_MAX - 1, 8, 8);
	for (pn = 1; pn < STT_RANGES_MAX; pn++)
		ASSERT_GT(s.r[pn - 1].lo, s.r[pn].hi + 1);

	/* A new range below all of them is itself the lowest: not kept. */
	before = s;
	EXPECT_TRUE(stt_ranges_add(&s, 0));
	EXPECT_EQ(0, memcmp(&before, &s, sizeof(s)));
	EXPECT_FALSE(stt_ranges_has(&s, 0));
	EXPECT_TRUE(stt_ranges_add(&s, 5));
	EXPECT_EQ(0, memcmp(&before, &s, sizeof(s)));

	/* Growing an existing range needs no room. */
	EXPECT_TRUE(stt_ranges_add(&s, 7));
	ASSERT_EQ(STT_RANGES_MAX, s.n);
	EXPECT_RANGE(s, STT_RANGES_MAX - 1, 7, 8);
	EXPECT_TRUE(stt_ranges_add(&s, 1001));
	EXPECT_RANGE(s, 0, 1000, 1001);
	ASSERT_EQ(STT_RANGES_MAX, s.n);

	/* Joining two frees a slot, so a low range fits again. */
	EXPECT_TRUE(stt_ranges_add(&s, 9));
	EXPECT_TRUE(stt_ranges_add(&s, 10));
	EXPECT_TRUE(stt_ranges_add(&s, 11));
	ASSERT_EQ(STT_RANGES_MAX - 1, s.n);
	EXPECT_RANGE(s, STT_RANGES_MAX - 2, 7, 12);
	EXPECT_TRUE(stt_ranges_add(&s, 0));
	ASSERT_EQ(STT_RANGES_MAX, s.n);
	EXPECT_RANGE(s, STT_RANGES_MAX - 1, 0, 0);
	EXPECT_TRUE(stt_ranges_has(&s, 0));
}

TEST(u64_max)
{
	struct stt_ranges s;
	struct stt_range g[4];

	stt_ranges_init(&s);
	EXPECT_TRUE(stt_ranges_add(&s, PN_MAX));
	EXPECT_FALSE(stt_ranges_add(&s, PN_MAX));
	EXPECT_TRUE(stt_ranges_has(&s, PN_MAX));
	EXPECT_FALSE(stt_ranges_has(&s, 0));
	EXPECT_TRUE(stt_ranges_add(&s, PN_MAX - 1));
	ASSERT_EQ(1, s.n);
	EXPECT_RANGE(s, 0, PN_MAX - 1, PN_MAX);
	EXPECT_TRUE(stt_ranges_add(&s, PN_MAX - 3));
	ASSERT_EQ(2, s.n);
	ASSERT_EQ(1, stt_ranges_gaps(&s, g, 4));
	EXPECT_EQ(PN_MAX - 2, g[0].lo);
	EXPECT_EQ(PN_MAX - 2, g[0].hi);
	EXPECT_TRUE(stt_ranges_add(&s, PN_MAX - 2));
	ASSERT_EQ(1, s.n);
	EXPECT_RANGE(s, 0, PN_MAX - 3, PN_MAX);
	stt_ranges_drop_below(&s, PN_MAX);
	ASSERT_EQ(1, s.n);
	EXPECT_RANGE(s, 0, PN_MAX, PN_MAX);

	/* Both ends of the number space at once. */
	EXPECT_TRUE(stt_ranges_add(&s, 0));
	ASSERT_EQ(2, s.n);
	ASSERT_EQ(1, stt_ranges_gaps(&s, g, 4));
	EXPECT_EQ(1, g[0].lo);
	EXPECT_EQ(PN_MAX - 1, g[0].hi);
	EXPECT_FALSE(stt_ranges_has(&s, 1));
	EXPECT_FALSE(stt_ranges_has(&s, PN_MAX - 1));
	EXPECT_TRUE(stt_ranges_add(&s, 1));
	EXPECT_RANGE(s, 1, 0, 1);
	stt_ranges_drop_below(&s, PN_MAX);
	ASSERT_EQ(1, s.n);
	EXPECT_RANGE(s, 0, PN_MAX, PN_MAX);
}

/*
 * The reference: a bitmap of the numbers in the set over a universe of 4096
 * numbers starting at a base.  Its ranges are read off the bitmap; after an
 * add that makes more than STT_RANGES_MAX of them, the lowest is cleared, as
 * the set forgets its lowest range.
 */
#define UNIVERSE 4096
#define MAX_MODEL_RANGES (UNIVERSE / 2)

struct model {
	u64 base;
	u64 bits[UNIVERSE / 64];
	unsigned int n;
	struct stt_range r[MAX_MODEL_RANGES];	/* offsets from base */
};

static bool model_has(const struct model *m, unsigned int k)
{
	return (m->bits[k / 64] >> (k % 64)) & 1;
}

/* Highest k' <= k whose bit equals @val, or -1. */
static int model_find_below(const struct model *m, int k, bool val)
{
	while (k >= 0) {
		u64 w = m->bits[k / 64];

		if (!val)
			w = ~w;
		/* Bits 0..k % 64; for bit 63 the shift wraps to 0, mask ~0. */
		w &= ((u64)2 << (k % 64)) - 1;
		if (w)
			return (k & ~63) + 63 - __builtin_clzll(w);
		k = (k & ~63) - 1;
	}
	return -1;
}

static void model_ranges(struct model *m)
{
	int k = UNIVERSE - 1;

	m->n = 0;
	while (k >= 0) {
		int hi = model_find_below(m, k, true), lo;

		if (hi < 0)
			break;
		lo = model_find_below(m, hi, false) + 1;
		m->r[m->n].lo = lo;
		m->r[m->n].hi = hi;
		m->n++;
		k = lo - 1;
	}
}

static void model_clear(struct model *m, unsigned int lo, unsigned int hi)
{
	unsigned int k;

	for (k = lo; k <= hi; k++)
		m->bits[k / 64] &= ~((u64)1 << (k % 64));
}

/* Returns whether the add evicted a range. */
static bool model_add(struct model *m, unsigned int k)
{
	m->bits[k / 64] |= (u64)1 << (k % 64);
	model_ranges(m);
	if (m->n <= STT_RANGES_MAX)
		return false;
	model_clear(m, m->r[m->n - 1].lo, m->r[m->n - 1].hi);
	m->n--;
	return true;
}

static void model_drop_below(struct model *m, unsigned int k)
{
	if (k)
		model_clear(m, 0, k - 1);
	model_ranges(m);
}

static void same(struct __test_metadata *_metadata, const struct model *m,
		 const struct stt_ranges *s, int op)
{
	unsigned int i;

	ASSERT_EQ(m->n, s->n) {
		TH_LOG("op %d", op);
	}
	for (i = 0; i < m->n; i++) {
		ASSERT_EQ(m->base + m->r[i].lo, s->r[i].lo) {
			TH_LOG("op %d, range %u", op, i);
		}
		ASSERT_EQ(m->base + m->r[i].hi, s->r[i].hi) {
			TH_LOG("op %d, range %u", op, i);
		}
	}
}

static struct model m;

TEST(random_against_model)
{
	static const unsigned int spans[] = { 16, 130, 600, UNIVERSE };
	unsigned long evictions = 0, merges = 0, dups = 0;
	struct stt_ranges s;
	struct stt_range g[STT_RANGES_MAX];
	unsigned int peak = 0;
	int op = 0;

	while (op < 200000) {
		/* An epoch: a fresh set, numbers from one part of the space. */
		unsigned int span = spans[rnd() % 4];
		unsigned int start = rnd() % (UNIVERSE - span + 1);
		int end = op + 200 + rnd() % 3000;

		memset(&m, 0, sizeof(m));
		m.base = rnd() % 2 ? 0 : PN_MAX - (UNIVERSE - 1);
		stt_ranges_init(&s);

		for (; op < end; op++) {
			u64 roll = rnd() % 100;
			unsigned int k, i, want_n, before = s.n;

			if (roll < 75) {
				bool fresh;

				k = start + rnd() % span;
				fresh = !model_has(&m, k);
				ASSERT_EQ(fresh, stt_ranges_add(&s, m.base + k));
				if (!fresh)
					dups++;
				else if (model_add(&m, k))
					evictions++;
				else if (s.n <= before)
					merges++;
			} else if (roll < 90) {
				k = rnd() % UNIVERSE;
				ASSERT_EQ(model_has(&m, k),
					  stt_ranges_has(&s, m.base + k));
			} else if (roll < 92) {
				/* Mostly near the bottom, so the set survives. */
				if (m.n && rnd() % 8)
					k = m.r[m.n - 1].lo + rnd() % 40;
				else
					k = rnd() % UNIVERSE;
				if (k >= UNIVERSE)
					k = UNIVERSE - 1;
				stt_ranges_drop_below(&s, m.base + k);
				model_drop_below(&m, k);
			} else {
				unsigned int max = rnd() % (STT_RANGES_MAX + 2);

				if (max > STT_RANGES_MAX)
					max = STT_RANGES_MAX;
				want_n = m.n ? m.n - 1 : 0;
				if (want_n > max)
					want_n = max;
				ASSERT_EQ(want_n, stt_ranges_gaps(&s, g, max));
				for (i = 0; i < want_n; i++) {
					ASSERT_EQ(m.base + m.r[i + 1].hi + 1,
						  g[i].lo);
					ASSERT_EQ(m.base + m.r[i].lo - 1,
						  g[i].hi);
				}
			}
			same(_metadata, &m, &s, op);
			if (s.n > peak)
				peak = s.n;
		}
	}
	/* Every interesting path was taken many times. */
	EXPECT_EQ(STT_RANGES_MAX, peak);
	EXPECT_GT(evictions, 1000);
	EXPECT_GT(merges, 1000);
	EXPECT_GT(dups, 1000);
}

TEST_HARNESS_MAIN
