// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kernel/rxcheck.c in user space: DATA ending at and beyond
 * the top of the offset range, final sizes against the data and each other,
 * maximum data, the trimming of new data against held ranges (and a model
 * of input.c's placing that keeps them disjoint), and the
 * collapse and budget decisions.
 */
#include "kselftest_harness.h"
#include "rxcheck.h"

TEST(data_end)
{
	u64 end = 0;

	EXPECT_TRUE(stt_rx_end(0, 0, &end));
	EXPECT_EQ(0, end);
	EXPECT_TRUE(stt_rx_end(1024, 5, &end));
	EXPECT_EQ(1029, end);
	EXPECT_TRUE(stt_rx_end(STT_OFFSET_MAX - 2, 2, &end));
	EXPECT_EQ(STT_OFFSET_MAX, end);
	EXPECT_TRUE(stt_rx_end(STT_OFFSET_MAX, 0, &end));
}

TEST(data_end_beyond_the_range)
{
	u64 end = 7;

	EXPECT_FALSE(stt_rx_end(STT_OFFSET_MAX - 1, 2, &end));
	EXPECT_FALSE(stt_rx_end(STT_OFFSET_MAX + 1, 0, &end));
	/* The review's frame: offset 2^64 - 1, length 2, which wraps. */
	EXPECT_FALSE(stt_rx_end(~0ULL, 2, &end));
	EXPECT_FALSE(stt_rx_end(~0ULL - 0xffff, 0xffff, &end));
	EXPECT_EQ(7, end);
}

TEST(first_final_size)
{
	EXPECT_EQ(STT_FINAL_NEW, stt_rx_final(100, NULL, 100, 4096));
	EXPECT_EQ(STT_FINAL_NEW, stt_rx_final(4096, NULL, 0, 4096));
	EXPECT_EQ(STT_FINAL_NEW, stt_rx_final(0, NULL, 0, 0));
	EXPECT_EQ(STT_FINAL_BELOW, stt_rx_final(99, NULL, 100, 4096));
	EXPECT_EQ(STT_FINAL_BEYOND, stt_rx_final(4097, NULL, 0, 4096));
}

TEST(final_size_near_the_top)
{
	/* The review's STREAM_RESET: a final size near 2^64. */
	EXPECT_EQ(STT_FINAL_BEYOND, stt_rx_final(~0ULL - 10, NULL, 0, 1 << 18));
	EXPECT_EQ(STT_FINAL_BEYOND,
		  stt_rx_final(STT_OFFSET_MAX + 1, NULL, 0, ~0ULL));
	EXPECT_EQ(STT_FINAL_NEW,
		  stt_rx_final(STT_OFFSET_MAX, NULL, 0, STT_OFFSET_MAX));
}

TEST(second_final_size)
{
	u64 known = 500;

	EXPECT_EQ(STT_FINAL_SAME, stt_rx_final(500, &known, 500, 4096));
	EXPECT_EQ(STT_FINAL_BELOW, stt_rx_final(501, &known, 500, 4096));
	EXPECT_EQ(STT_FINAL_BELOW, stt_rx_final(499, &known, 0, 4096));
	EXPECT_EQ(STT_FINAL_BELOW, stt_rx_final(~0ULL, &known, 0, 4096));
}

TEST(max_data)
{
	EXPECT_TRUE(stt_rx_max_data(0));
	EXPECT_TRUE(stt_rx_max_data(STT_OFFSET_MAX));
	EXPECT_FALSE(stt_rx_max_data(STT_OFFSET_MAX + 1));
	EXPECT_FALSE(stt_rx_max_data(~0ULL));
}

TEST(disjoint)
{
	u64 off = 100, end = 200;

	EXPECT_EQ(STT_OVL_BEFORE, stt_rx_overlap(&off, &end, 200, 300));
	EXPECT_EQ(STT_OVL_AFTER, stt_rx_overlap(&off, &end, 0, 100));
	EXPECT_EQ(100, off);
	EXPECT_EQ(200, end);
}

TEST(covered_and_covering)
{
	u64 off = 100, end = 200;

	EXPECT_EQ(STT_OVL_COVERED, stt_rx_overlap(&off, &end, 100, 200));
	EXPECT_EQ(STT_OVL_COVERED, stt_rx_overlap(&off, &end, 50, 250));
	EXPECT_EQ(STT_OVL_COVERED, stt_rx_overlap(&off, &end, 100, 300));
	EXPECT_EQ(STT_OVL_COVERS, stt_rx_overlap(&off, &end, 120, 130));
	EXPECT_EQ(STT_OVL_COVERS, stt_rx_overlap(&off, &end, 100, 150));
	EXPECT_EQ(STT_OVL_COVERS, stt_rx_overlap(&off, &end, 150, 200));
	EXPECT_EQ(100, off);
	EXPECT_EQ(200, end);
}

TEST(partial_overlaps_are_trimmed)
{
	u64 off = 100, end = 200;

	EXPECT_EQ(STT_OVL_HEAD, stt_rx_overlap(&off, &end, 50, 150));
	EXPECT_EQ(150, off);
	EXPECT_EQ(200, end);
	EXPECT_EQ(STT_OVL_TAIL, stt_rx_overlap(&off, &end, 199, 400));
	EXPECT_EQ(150, off);
	EXPECT_EQ(199, end);
}

/* A sequence of one-byte overlapping frames ends up as disjoint ranges. */
TEST(one_byte_overlaps_stay_disjoint)
{
	u64 held[2][2] = { { 10, 20 }, { 30, 40 } };
	u64 off, end;
	int i, kept = 0;

	for (i = 0; i < 50; i++) {
		off = i;
		end = i + 1;
		if (stt_rx_overlap(&off, &end, held[0][0], held[0][1]) ==
		    STT_OVL_COVERED ||
		    stt_rx_overlap(&off, &end, held[1][0], held[1][1]) ==
		    STT_OVL_COVERED)
			continue;
		kept++;
	}
	EXPECT_EQ(30, kept);
}

/*
 * input.c's placing of held data, on an array instead of an rbtree: pass
 * one trims the new range against the held ranges from the one starting
 * last at or before it, pass two frees what it covers.  Random ranges keep
 * the held ranges disjoint, and every byte offered stays held.
 */
#define MODEL_MAX	256
#define MODEL_SPAN	512

struct model {
	u64 r[MODEL_MAX][2];
	int n;
};

static int model_from(const struct model *m, u64 off)
{
	int i, at = -1;

	for (i = 0; i < m->n; i++)
		if (m->r[i][0] <= off)
			at = i;
	return at < 0 ? 0 : at;
}

static void model_hold(struct model *m, u64 off, u64 end)
{
	enum stt_overlap ovl;
	int i, j;

	for (i = model_from(m, off); i < m->n && m->r[i][0] < end; i++) {
		ovl = stt_rx_overlap(&off, &end, m->r[i][0], m->r[i][1]);
		if (ovl == STT_OVL_COVERED)
			return;
		if (ovl == STT_OVL_TAIL)
			break;
	}
	for (i = model_from(m, off); i < m->n && m->r[i][0] < end;) {
		if (m->r[i][0] < off) {
			i++;
			continue;
		}
		memmove(m->r[i], m->r[i + 1], (m->n - i - 1) * sizeof(m->r[0]));
		m->n--;
	}
	for (j = 0; j < m->n && m->r[j][0] < off; j++)
		;
	memmove(m->r[j + 1], m->r[j], (m->n - j) * sizeof(m->r[0]));
	m->r[j][0] = off;
	m->r[j][1] = end;
	m->n++;
}

TEST(held_ranges_stay_disjoint_and_complete)
{
	unsigned char want[MODEL_SPAN], got[MODEL_SPAN];
	unsigned int seed = 1;
	struct model m;
	int round, k, i;
	u64 off, end, b;

	for (round = 0; round < 200; round++) {
		m.n = 0;
		memset(want, 0, sizeof(want));
		for (k = 0; k < 60; k++) {
			seed = seed * 1103515245 + 12345;
			off = (seed >> 8) % (MODEL_SPAN - 1);
			seed = seed * 1103515245 + 12345;
			end = off + 1 + (seed >> 8) % (k & 1 ? 4 : 64);
			if (end > MODEL_SPAN)
				end = MODEL_SPAN;
			model_hold(&m, off, end);
			memset(want + off, 1, end - off);
			ASSERT_GE(MODEL_MAX - 1, m.n);
		}
		memset(got, 0, sizeof(got));
		for (i = 0; i < m.n; i++) {
			ASSERT_LT(m.r[i][0], m.r[i][1]);
			if (i)
				ASSERT_LE(m.r[i - 1][1], m.r[i][0]);
			for (b = m.r[i][0]; b < m.r[i][1]; b++)
				got[b] = 1;
		}
		ASSERT_EQ(0, memcmp(want, got, sizeof(want)));
	}
}

TEST(collapse)
{
	/* A full packet queued whole is never copied... */
	EXPECT_FALSE(stt_rx_collapse(2304, 1400));
	EXPECT_FALSE(stt_rx_collapse(16640, 8150));
	/* ...a one-byte frame of it always is. */
	EXPECT_TRUE(stt_rx_collapse(2304, 1));
	EXPECT_TRUE(stt_rx_collapse(16640, 1));
	EXPECT_TRUE(stt_rx_collapse(16640, 4096));
	EXPECT_FALSE(stt_rx_collapse(1024, 0));
	/* 2 * len does not wrap. */
	EXPECT_FALSE(stt_rx_collapse(~0U, ~0U >> 1));
}

TEST(fits)
{
	EXPECT_TRUE(stt_rx_fits(0, 100, 100));
	EXPECT_TRUE(stt_rx_fits(50, 50, 100));
	EXPECT_FALSE(stt_rx_fits(50, 51, 100));
	EXPECT_FALSE(stt_rx_fits(150, 0, 100));
	EXPECT_FALSE(stt_rx_fits(~0ULL, ~0U, ~0ULL - 1));
	EXPECT_TRUE(stt_rx_fits(~0ULL - (u64)~0U, ~0U, ~0ULL));
}

TEST_HARNESS_MAIN
