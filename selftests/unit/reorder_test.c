// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kernel/reorder.c in user space: data in order, overlapping
 * what was delivered, duplicated, ahead of a gap, empty, and at the top of
 * the offset range.
 */
#include "kselftest_harness.h"
#include "reorder.h"

TEST(in_order)
{
	EXPECT_EQ(STT_REORDER_NEXT, stt_reorder_place(0, 0, 100));
	EXPECT_EQ(STT_REORDER_NEXT, stt_reorder_place(100, 100, 101));
}

TEST(overlapping_the_delivered_part)
{
	EXPECT_EQ(STT_REORDER_NEXT, stt_reorder_place(100, 50, 150));
	EXPECT_EQ(STT_REORDER_NEXT, stt_reorder_place(100, 0, 101));
}

TEST(duplicate)
{
	EXPECT_EQ(STT_REORDER_DUP, stt_reorder_place(100, 0, 100));
	EXPECT_EQ(STT_REORDER_DUP, stt_reorder_place(100, 50, 60));
	EXPECT_EQ(STT_REORDER_DUP, stt_reorder_place(100, 99, 100));
}

TEST(ahead_of_a_gap)
{
	EXPECT_EQ(STT_REORDER_LATER, stt_reorder_place(100, 101, 200));
	EXPECT_EQ(STT_REORDER_LATER, stt_reorder_place(0, 1, 2));
}

TEST(empty_data_delivers_nothing)
{
	EXPECT_EQ(STT_REORDER_DUP, stt_reorder_place(100, 100, 100));
	EXPECT_EQ(STT_REORDER_DUP, stt_reorder_place(100, 10, 10));
	EXPECT_EQ(STT_REORDER_LATER, stt_reorder_place(100, 200, 200));
}

TEST(top_of_the_offset_range)
{
	u64 top = ~(u64)0;

	EXPECT_EQ(STT_REORDER_NEXT, stt_reorder_place(top - 1, top - 1, top));
	EXPECT_EQ(STT_REORDER_DUP, stt_reorder_place(top, 0, top));
	EXPECT_EQ(STT_REORDER_LATER, stt_reorder_place(top - 1, top, top));
}

TEST_HARNESS_MAIN
