// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kernel/replay.c in user space: the exact window of
 * stt_replay_accept() (the highest accepted number and the 2047 below it),
 * jumps of every size, the ends of the u64 range, and a long random run
 * checked against a plain set of accepted numbers.
 */
#include "kselftest_harness.h"
#include "replay.h"

#define PN_MAX (~(u64)0)
#define W STT_REPLAY_WINDOW

/* Fixed-seed xorshift64, so that a failure can be replayed. */
static u64 rnd_state = 0x9e3779b97f4a7c15ULL;

static u64 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

TEST(starts_empty)
{
	struct stt_replay r;

	stt_replay_init(&r);
	EXPECT_TRUE(stt_replay_accept(&r, 0));
	EXPECT_FALSE(stt_replay_accept(&r, 0));
	EXPECT_EQ(1, r.top);

	/* init forgets everything, even a full window. */
	stt_replay_init(&r);
	EXPECT_TRUE(stt_replay_accept(&r, 0));
}

TEST(first_packet_may_be_anything)
{
	struct stt_replay r;

	stt_replay_init(&r);
	EXPECT_TRUE(stt_replay_accept(&r, 5000));
	EXPECT_TRUE(stt_replay_accept(&r, 5000 - W + 1));
	EXPECT_FALSE(stt_replay_accept(&r, 5000 - W));
	EXPECT_FALSE(stt_replay_accept(&r, 0));
}

TEST(in_order)
{
	struct stt_replay r;
	u64 pn;

	stt_replay_init(&r);
	for (pn = 0; pn < 10 * W + 17; pn++)
		ASSERT_TRUE(stt_replay_accept(&r, pn));
	/* Every number again: the last W are duplicates, the rest too old. */
	for (pn = 0; pn < 10 * W + 17; pn++)
		ASSERT_FALSE(stt_replay_accept(&r, pn));
	EXPECT_EQ(10 * W + 17, r.top);
}

TEST(duplicates_rejected)
{
	struct stt_replay r;

	stt_replay_init(&r);
	EXPECT_TRUE(stt_replay_accept(&r, 1));
	EXPECT_TRUE(stt_replay_accept(&r, 2));
	EXPECT_FALSE(stt_replay_accept(&r, 1));
	EXPECT_FALSE(stt_replay_accept(&r, 2));
	EXPECT_TRUE(stt_replay_accept(&r, 0));
	EXPECT_FALSE(stt_replay_accept(&r, 0));
	EXPECT_FALSE(stt_replay_accept(&r, 2));
}

TEST(out_of_order_once)
{
	struct stt_replay r;
	u64 pn;

	stt_replay_init(&r);
	EXPECT_TRUE(stt_replay_accept(&r, 3 * W));
	/* Everything below the highest, inside the window, newest last. */
	for (pn = 2 * W + 1; pn < 3 * W; pn++)
		ASSERT_TRUE(stt_replay_accept(&r, pn));
	for (pn = 2 * W + 1; pn <= 3 * W; pn++)
		ASSERT_FALSE(stt_replay_accept(&r, pn));

	/* Odd numbers first, then the even ones fill in. */
	stt_replay_init(&r);
	for (pn = 1; pn < 1000; pn += 2)
		ASSERT_TRUE(stt_replay_accept(&r, pn));
	for (pn = 0; pn < 1000; pn += 2)
		ASSERT_TRUE(stt_replay_accept(&r, pn));
	for (pn = 0; pn < 1000; pn++)
		ASSERT_FALSE(stt_replay_accept(&r, pn));
}

TEST(window_edge)
{
	struct stt_replay r;
	u64 h = 10000;

	stt_replay_init(&r);
	EXPECT_TRUE(stt_replay_accept(&r, h));
	EXPECT_FALSE(stt_replay_accept(&r, h - W));		/* one past */
	EXPECT_TRUE(stt_replay_accept(&r, h - W + 1));		/* at the edge */
	EXPECT_FALSE(stt_replay_accept(&r, h - W + 1));

	/* One step up pushes the edge number out; it stays refused. */
	EXPECT_TRUE(stt_replay_accept(&r, h + 1));
	EXPECT_FALSE(stt_replay_accept(&r, h - W + 1));
	EXPECT_TRUE(stt_replay_accept(&r, h - W + 2));

	/* The very first window: highest W - 1 still covers 0. */
	stt_replay_init(&r);
	EXPECT_TRUE(stt_replay_accept(&r, W - 1));
	EXPECT_TRUE(stt_replay_accept(&r, 0));
	stt_replay_init(&r);
	EXPECT_TRUE(stt_replay_accept(&r, W));
	EXPECT_FALSE(stt_replay_accept(&r, 0));
	EXPECT_TRUE(stt_replay_accept(&r, 1));
}

TEST(jump_reuses_slots)
{
	struct stt_replay r;
	u64 pn;

	/* Fill the whole ring, then move exactly one window up. */
	stt_replay_init(&r);
	for (pn = 0; pn < W; pn++)
		ASSERT_TRUE(stt_replay_accept(&r, pn));
	EXPECT_TRUE(stt_replay_accept(&r, 2 * W - 1));
	for (pn = 0; pn < W; pn++)
		ASSERT_FALSE(stt_replay_accept(&r, pn));
	for (pn = W; pn < 2 * W - 1; pn++)
		ASSERT_TRUE(stt_replay_accept(&r, pn));
	EXPECT_FALSE(stt_replay_accept(&r, 2 * W - 1));
}

TEST(partial_jumps)
{
	struct stt_replay r;
	u64 pn, h = W - 1, step;

	/* Jumps that start and end in the middle of words, and wrap the ring. */
	stt_replay_init(&r);
	for (pn = 0; pn <= h; pn++)
		ASSERT_TRUE(stt_replay_accept(&r, pn));
	for (step = 1; step < 3 * W; step = step * 3 + 1) {
		u64 nh = h + step;

		ASSERT_TRUE(stt_replay_accept(&r, nh));
		/* The skipped numbers are new, the old ones still in are not. */
		for (pn = h + 1; pn < nh; pn++)
			ASSERT_EQ(nh - pn < W, stt_replay_accept(&r, pn));
		for (pn = nh - W + 1; pn <= nh; pn++)
			ASSERT_FALSE(stt_replay_accept(&r, pn));
		ASSERT_FALSE(stt_replay_accept(&r, nh - W));
		h = nh;
	}
}

TEST(big_jumps)
{
	struct stt_replay r;
	u64 far = (u64)1 << 40;

	stt_replay_init(&r);
	EXPECT_TRUE(stt_replay_accept(&r, 5));
	EXPECT_TRUE(stt_replay_accept(&r, far));
	EXPECT_FALSE(stt_replay_accept(&r, 5));
	EXPECT_FALSE(stt_replay_accept(&r, 4));
	EXPECT_FALSE(stt_replay_accept(&r, far - W));
	EXPECT_TRUE(stt_replay_accept(&r, far - W + 1));
	EXPECT_TRUE(stt_replay_accept(&r, far - 1));
	EXPECT_FALSE(stt_replay_accept(&r, far));
	/* far's slot is not confused with 5's or with its own old bits. */
	EXPECT_TRUE(stt_replay_accept(&r, far + W));
	EXPECT_FALSE(stt_replay_accept(&r, far));
	EXPECT_TRUE(stt_replay_accept(&r, far + 1));
	EXPECT_TRUE(stt_replay_accept(&r, PN_MAX - 1));
	EXPECT_FALSE(stt_replay_accept(&r, far + W));
	EXPECT_TRUE(stt_replay_accept(&r, PN_MAX - W + 1));
}

TEST(u64_max)
{
	struct stt_replay r;

	stt_replay_init(&r);
	EXPECT_TRUE(stt_replay_accept(&r, PN_MAX));
	EXPECT_EQ(0, r.top);
	/* top wrapped to 0, but this is not an empty window. */
	EXPECT_FALSE(stt_replay_accept(&r, PN_MAX));
	EXPECT_FALSE(stt_replay_accept(&r, 0));
	EXPECT_FALSE(stt_replay_accept(&r, W));
	EXPECT_FALSE(stt_replay_accept(&r, PN_MAX - W));
	EXPECT_TRUE(stt_replay_accept(&r, PN_MAX - W + 1));
	EXPECT_TRUE(stt_replay_accept(&r, PN_MAX - 1));
	EXPECT_FALSE(stt_replay_accept(&r, PN_MAX - 1));
	EXPECT_FALSE(stt_replay_accept(&r, PN_MAX));

	/* Reached step by step from below. */
	stt_replay_init(&r);
	EXPECT_TRUE(stt_replay_accept(&r, PN_MAX - 5));
	EXPECT_TRUE(stt_replay_accept(&r, PN_MAX));
	EXPECT_FALSE(stt_replay_accept(&r, PN_MAX - 5));
	EXPECT_TRUE(stt_replay_accept(&r, PN_MAX - 4));
	EXPECT_FALSE(stt_replay_accept(&r, PN_MAX));

	/* From 0 straight to the end. */
	stt_replay_init(&r);
	EXPECT_TRUE(stt_replay_accept(&r, 0));
	EXPECT_TRUE(stt_replay_accept(&r, PN_MAX));
	EXPECT_FALSE(stt_replay_accept(&r, 0));
	EXPECT_TRUE(stt_replay_accept(&r, PN_MAX - 2047));
}

/*
 * The reference: a plain set of every number accepted, over a universe of
 * 2^24 numbers starting at @base, and the highest one.  A number is accepted
 * iff it is not in the set and is above the highest or less than W below it.
 */
#define UNIVERSE ((u64)1 << 24)
static u64 model_seen[UNIVERSE / 64];

static void random_run(struct __test_metadata *_metadata, u64 base, u64 start)
{
	struct stt_replay r;
	unsigned long accepted = 0, refused = 0;
	bool have = false;
	u64 h = start;	/* offset of the highest accepted number from base */
	int i;

	memset(model_seen, 0, sizeof(model_seen));
	stt_replay_init(&r);
	for (i = 0; i < 200000; i++) {
		u64 roll = rnd() % 1000, k;
		bool want;

		if (roll < 550)
			k = h + rnd() % 4;
		else if (roll < 850)
			k = h - rnd() % (W + 52);
		else if (roll < 900)
			k = h - (W - 8) - rnd() % 16;
		else if (roll < 997)
			k = h + rnd() % 200;
		else
			k = h + W - 100 + rnd() % (2 * W);
		/* Out of the universe (below 0 wraps high): clamp to its ends. */
		if (k >= UNIVERSE)
			k = roll >= 550 && roll < 900 ? 0 : UNIVERSE - 1;

		want = !((model_seen[k / 64] >> (k % 64)) & 1) &&
		       (!have || k > h || h - k < W);
		ASSERT_EQ(want, stt_replay_accept(&r, base + k)) {
			TH_LOG("op %d: pn %llu, highest %llu", i,
			       (unsigned long long)(base + k),
			       (unsigned long long)(base + h));
		}
		if (want) {
			model_seen[k / 64] |= (u64)1 << (k % 64);
			if (!have || k > h)
				h = k;
			have = true;
			accepted++;
		} else {
			refused++;
		}
	}
	/* Both outcomes were exercised a lot. */
	EXPECT_GT(accepted, 20000);
	EXPECT_GT(refused, 20000);
	/* A run near the end of the universe reached it. */
	if (start)
		EXPECT_EQ(UNIVERSE - 1, h);
}

TEST(random_against_model)
{
	random_run(_metadata, 0, 0);
}

TEST(random_against_model_at_u64_max)
{
	/*
	 * The universe ends at U64_MAX and the run starts close enough to the
	 * end to reach it halfway through, then keeps hitting it.
	 */
	random_run(_metadata, PN_MAX - (UNIVERSE - 1), UNIVERSE - (1 << 21));
}

TEST_HARNESS_MAIN
