// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kernel/window.c in user space: the budget under memory
 * pressure (whole up to half the limit, shrinking linearly to nothing at
 * the limit), and when a window's edge is worth advertising.
 */
#include "kselftest_harness.h"
#include "window.h"

#define MAX (64ULL << 20)

TEST(no_pressure_below_half)
{
	EXPECT_EQ(262144, stt_window_scale(262144, 0, MAX));
	EXPECT_EQ(262144, stt_window_scale(262144, MAX / 2, MAX));
}

TEST(linear_between_half_and_max)
{
	EXPECT_EQ(131072, stt_window_scale(262144, MAX / 4 * 3, MAX));
	EXPECT_EQ(65536, stt_window_scale(262144, MAX / 8 * 7, MAX));
	/* Never more than the budget, never growing with the usage. */
	EXPECT_GE(262144, stt_window_scale(262144, MAX / 2 + 1, MAX));
	EXPECT_GE(stt_window_scale(262144, MAX / 2 + 100, MAX),
		  stt_window_scale(262144, MAX / 2 + 200, MAX));
}

TEST(nothing_at_or_above_max)
{
	EXPECT_EQ(0, stt_window_scale(262144, MAX, MAX));
	EXPECT_EQ(0, stt_window_scale(262144, MAX + 1, MAX));
	EXPECT_EQ(0, stt_window_scale(262144, ~0ULL, MAX));
}

TEST(large_values_do_not_overflow)
{
	u64 max = (u64)0x7fffffff << 10;	/* the sysctl's largest limit */

	EXPECT_EQ(1ULL << 40, stt_window_scale(1ULL << 40, 0, max));
	EXPECT_EQ(1ULL << 39, stt_window_scale(1ULL << 40, max / 4 * 3, max));
}

TEST(due_after_half_a_budget)
{
	/* Advertised 1000, budget 1000: due once the edge reaches 1500. */
	EXPECT_FALSE(stt_window_due(1000, 0, 1000));
	EXPECT_FALSE(stt_window_due(1000, 499, 1000));
	EXPECT_TRUE(stt_window_due(1000, 500, 1000));
	EXPECT_TRUE(stt_window_due(1000, 5000, 1000));
}

TEST(never_due_below_the_advertised_edge)
{
	/* A budget shrunk by pressure leaves the edge where it was. */
	EXPECT_FALSE(stt_window_due(1000, 900, 50));
	EXPECT_FALSE(stt_window_due(1000, 950, 50));
	/* ... and half of the smaller budget past it is due again. */
	EXPECT_TRUE(stt_window_due(1000, 975, 50));
}

TEST(never_due_without_budget)
{
	EXPECT_FALSE(stt_window_due(0, 0, 0));
	EXPECT_FALSE(stt_window_due(1000, 5000, 0));
}

TEST(a_budget_of_one_byte)
{
	EXPECT_TRUE(stt_window_due(0, 0, 1));
	EXPECT_FALSE(stt_window_due(1, 0, 1));
}

TEST_HARNESS_MAIN
