// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kernel/sent.c in user space: the binary search from packet
 * numbers to ring indexes, slices of ranges (empty, clamped, at the ends of
 * the u64 range), the bitmaps that mirror each record's state, and a random
 * run of states and slices checked against a plain walk of the ring, with
 * indexes that wrap around 2^32 and slots that wrap around the ring.
 */
#include "kselftest_harness.h"
#include "sent.h"

static struct stt_sent_ring ring;

/* Fixed-seed xorshift64, so that a failure can be replayed. */
static u64 rnd_state = 0x9e3779b97f4a7c15ULL;

static u64 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Fill [head, head + n) with numbers from @pn0 up, gaps of 1 to @step. */
static void fill_ring(u32 head, u32 n, u64 pn0, unsigned int step)
{
	u64 pn = pn0;
	u32 i;

	memset(&ring, 0, sizeof(ring));
	for (i = 0; i < n; i++) {
		stt_sent_at(&ring, head + i)->pn = pn;
		stt_sent_set(&ring, head + i, STT_SENT_INFLIGHT);
		pn += step > 1 ? 1 + rnd() % step : 1;
	}
}

/* The first index in [from, to) in state @want (or lost, with @lost_too). */
static u32 walk_next(u32 from, u32 to, bool lost_too)
{
	for (; (int)(to - from) > 0; from++) {
		u8 st = stt_sent_at(&ring, from)->state;

		if (st == STT_SENT_INFLIGHT || (lost_too && st == STT_SENT_LOST))
			return from;
	}
	return to;
}

static u32 walk_lower(u32 head, u32 tail, u64 pn)
{
	for (; head != tail; head++)
		if (stt_sent_at(&ring, head)->pn >= pn)
			break;
	return head;
}

TEST(empty_ring)
{
	struct stt_range r = { .lo = 0, .hi = ~0ULL };
	u32 from, to;

	memset(&ring, 0, sizeof(ring));
	EXPECT_EQ(7, stt_sent_lower(&ring, 7, 7, 5));
	stt_sent_slice(&ring, 7, 7, &r, &from, &to);
	EXPECT_EQ(7, from);
	EXPECT_EQ(7, to);
	EXPECT_EQ(7, stt_sent_next(&ring, 7, 7, true));
	EXPECT_EQ(3, stt_sent_next(&ring, 5, 3, true));
}

TEST(slices)
{
	/* Numbers 10, 12, ..., 10 + 2 * 99, from index 4000 on (slots wrap). */
	u32 head = 4000, tail = head + 100, from, to;
	struct stt_range r;
	unsigned int i;

	memset(&ring, 0, sizeof(ring));
	for (i = 0; i < 100; i++) {
		stt_sent_at(&ring, head + i)->pn = 10 + 2 * i;
		stt_sent_set(&ring, head + i, STT_SENT_INFLIGHT);
	}
	EXPECT_EQ(head, stt_sent_lower(&ring, head, tail, 0));
	EXPECT_EQ(head, stt_sent_lower(&ring, head, tail, 10));
	EXPECT_EQ(head + 1, stt_sent_lower(&ring, head, tail, 11));
	EXPECT_EQ(head + 99, stt_sent_lower(&ring, head, tail, 208));
	EXPECT_EQ(tail, stt_sent_lower(&ring, head, tail, 209));

	r = (struct stt_range){ .lo = 11, .hi = 11 };	/* between two */
	stt_sent_slice(&ring, head, tail, &r, &from, &to);
	EXPECT_EQ(from, to);
	r = (struct stt_range){ .lo = 0, .hi = 9 };	/* below all */
	stt_sent_slice(&ring, head, tail, &r, &from, &to);
	EXPECT_EQ(from, to);
	r = (struct stt_range){ .lo = 300, .hi = ~0ULL };	/* above all */
	stt_sent_slice(&ring, head, tail, &r, &from, &to);
	EXPECT_EQ(tail, from);
	EXPECT_EQ(tail, to);
	r = (struct stt_range){ .lo = 0, .hi = ~0ULL };	/* clamped */
	stt_sent_slice(&ring, head, tail, &r, &from, &to);
	EXPECT_EQ(head, from);
	EXPECT_EQ(tail, to);
	r = (struct stt_range){ .lo = 20, .hi = 30 };	/* 20, 22, ..., 30 */
	stt_sent_slice(&ring, head, tail, &r, &from, &to);
	EXPECT_EQ(head + 5, from);
	EXPECT_EQ(head + 11, to);
}

TEST(bits_follow_states)
{
	u32 head = 0xfffffff0u, tail = head + 200, i;

	fill_ring(head, 200, 1000, 1);
	EXPECT_EQ(head, stt_sent_next(&ring, head, tail, false));
	for (i = head; i != head + 150; i++)
		stt_sent_set(&ring, i, STT_SENT_ACKED);
	EXPECT_EQ(head + 150, stt_sent_next(&ring, head, tail, false));
	stt_sent_set(&ring, head + 70, STT_SENT_LOST);
	EXPECT_EQ(head + 150, stt_sent_next(&ring, head, tail, false));
	EXPECT_EQ(head + 70, stt_sent_next(&ring, head, tail, true));
	stt_sent_set(&ring, head + 70, STT_SENT_ACKED);
	EXPECT_EQ(head + 150, stt_sent_next(&ring, head, tail, true));
	stt_sent_set(&ring, head + 71, STT_SENT_PROBED);	/* lost, too */
	EXPECT_EQ(head + 71, stt_sent_next(&ring, head, tail, true));
	stt_sent_set(&ring, head + 71, STT_SENT_ACKED);
	/* The end of a slice hides what lies past it, in the same word. */
	EXPECT_EQ(head + 140, stt_sent_next(&ring, head, head + 140, true));
	stt_sent_forget(&ring, head + 150);
	EXPECT_EQ(head + 151, stt_sent_next(&ring, head, tail, true));
	for (i = 0; i < STT_SENT_WORDS; i++)
		if (ring.lost[i])
			break;
	EXPECT_EQ(STT_SENT_WORDS, i);
}

/* Random states and ranges over full rings, against plain walks. */
TEST(random_against_walk)
{
	unsigned int round, k;
	u32 head, tail, n, from, to, a, b, i;
	struct stt_range r;
	u64 pn0, span;

	for (round = 0; round < 200; round++) {
		head = (u32)rnd();
		n = 1 + rnd() % STT_SENT_MAX;
		tail = head + n;
		pn0 = round % 7 ? rnd() % 100000 : ~0ULL - 40 * STT_SENT_MAX;
		fill_ring(head, n, pn0, 1 + round % 5);
		for (i = head; i != tail; i++) {
			k = rnd() % 3;
			if (k)
				stt_sent_set(&ring, i, k == 1 ? STT_SENT_ACKED :
					     STT_SENT_LOST);
		}
		span = stt_sent_at(&ring, tail - 1)->pn - pn0 + 1;
		for (k = 0; k < 50; k++) {
			r.lo = pn0 - 5 + rnd() % (span + 10);
			r.hi = r.lo + rnd() % (span / 4 + 2);
			if (r.hi < r.lo)
				r.hi = ~0ULL;
			stt_sent_slice(&ring, head, tail, &r, &from, &to);
			ASSERT_EQ(walk_lower(head, tail, r.lo), from);
			ASSERT_EQ(r.hi == ~0ULL ? tail :
				  walk_lower(head, tail, r.hi + 1), to);
			for (a = from; ; a = b + 1) {
				b = stt_sent_next(&ring, a, to, k & 1);
				ASSERT_EQ(walk_next(a, to, k & 1), b);
				if (b == to)
					break;
			}
		}
	}
}

TEST_HARNESS_MAIN
