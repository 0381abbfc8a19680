// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kernel/bucket.c in user space: a full bucket lets a burst
 * through and then one event per period, credit never grows past the
 * burst however long the bucket idles, and a clock that goes back grants
 * nothing.
 */
#include "kselftest_harness.h"
#include "bucket.h"

#define MS 1000000ULL

TEST(burst_then_one_per_period)
{
	struct stt_bucket b;
	int i, n = 0;

	stt_bucket_init(&b, 1000 * MS, 20, 5);
	for (i = 0; i < 10; i++)
		n += stt_bucket_take(&b, 1000 * MS, 20, 5);
	EXPECT_EQ(5, n);
	/* 20 per second: one every 50 ms. */
	EXPECT_FALSE(stt_bucket_take(&b, 1049 * MS, 20, 5));
	EXPECT_TRUE(stt_bucket_take(&b, 1050 * MS, 20, 5));
	EXPECT_FALSE(stt_bucket_take(&b, 1050 * MS, 20, 5));
	EXPECT_TRUE(stt_bucket_take(&b, 1100 * MS, 20, 5));
}

TEST(idle_fills_to_the_burst_only)
{
	struct stt_bucket b;
	int i, n = 0;

	stt_bucket_init(&b, 0, 20, 5);
	for (i = 0; i < 5; i++)
		EXPECT_TRUE(stt_bucket_take(&b, 0, 20, 5));
	for (i = 0; i < 10; i++)
		n += stt_bucket_take(&b, 3600000 * MS, 20, 5);
	EXPECT_EQ(5, n);
}

TEST(clock_going_back_grants_nothing)
{
	struct stt_bucket b;
	int i;

	stt_bucket_init(&b, 500 * MS, 1, 1);
	EXPECT_TRUE(stt_bucket_take(&b, 500 * MS, 1, 1));
	for (i = 0; i < 3; i++)
		EXPECT_FALSE(stt_bucket_take(&b, 100 * MS, 1, 1));
	EXPECT_TRUE(stt_bucket_take(&b, 1500 * MS, 1, 1));
}

TEST(zero_rate_and_burst_mean_one)
{
	struct stt_bucket b;

	stt_bucket_init(&b, 0, 0, 0);
	EXPECT_TRUE(stt_bucket_take(&b, 0, 0, 0));
	EXPECT_FALSE(stt_bucket_take(&b, 999 * MS, 0, 0));
	EXPECT_TRUE(stt_bucket_take(&b, 1000 * MS, 0, 0));
}

TEST_HARNESS_MAIN
