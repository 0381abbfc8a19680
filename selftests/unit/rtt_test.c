// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kernel/rtt.c in user space: the first sample, smoothing,
 * the peer's ack delay, the timeout's bounds and backoff, and the loss time
 * threshold.
 */
#include "kselftest_harness.h"
#include "rtt.h"

#define MS 1000000ULL

TEST(first_sample_sets_srtt_and_half_variation)
{
	struct stt_rtt r;

	stt_rtt_init(&r);
	EXPECT_EQ(100 * MS, stt_rtt_rto(&r, 100 * MS, 20 * MS, 10000 * MS, 0));
	stt_rtt_sample(&r, 40 * MS, 0);
	EXPECT_EQ(40 * MS, r.srtt);
	EXPECT_EQ(20 * MS, r.rttvar);
	/* SRTT + 4 RTTVAR + max_ack_delay */
	EXPECT_EQ(145 * MS, stt_rtt_rto(&r, 100 * MS, 20 * MS, 10000 * MS, 0));
}

TEST(later_samples_move_by_an_eighth_and_a_quarter)
{
	struct stt_rtt r;

	stt_rtt_init(&r);
	stt_rtt_sample(&r, 80 * MS, 0);
	stt_rtt_sample(&r, 160 * MS, 0);
	EXPECT_EQ(90 * MS, r.srtt);		/* 7/8 * 80 + 1/8 * 160 */
	EXPECT_EQ(50 * MS, r.rttvar);		/* 3/4 * 40 + 1/4 * 80 */
	EXPECT_EQ(160 * MS, r.latest);
	EXPECT_EQ(80 * MS, r.min_rtt);
}

TEST(ack_delay_is_taken_off_but_not_below_min_rtt)
{
	struct stt_rtt r;

	stt_rtt_init(&r);
	stt_rtt_sample(&r, 10 * MS, 0);
	stt_rtt_sample(&r, 30 * MS, 15 * MS);	/* 15 ms counts */
	EXPECT_EQ((7 * 10 * MS + 15 * MS) / 8, r.srtt);
	stt_rtt_init(&r);
	stt_rtt_sample(&r, 10 * MS, 0);
	stt_rtt_sample(&r, 12 * MS, 5 * MS);	/* would go below 10 ms */
	EXPECT_EQ((7 * 10 * MS + 12 * MS) / 8, r.srtt);
}

TEST(timeout_bounds_and_backoff)
{
	struct stt_rtt r;

	stt_rtt_init(&r);
	stt_rtt_sample(&r, 1000, 0);	/* 1 us: G and max_ack_delay hold */
	EXPECT_EQ(26 * MS + 1000,
		  stt_rtt_rto(&r, 100 * MS, 20 * MS, 10000 * MS, 0));
	EXPECT_EQ(30 * MS, stt_rtt_rto(&r, 100 * MS, 30 * MS, 10000 * MS, 0));
	EXPECT_EQ(120 * MS, stt_rtt_rto(&r, 100 * MS, 30 * MS, 10000 * MS, 2));
	EXPECT_EQ(10000 * MS,
		  stt_rtt_rto(&r, 100 * MS, 20 * MS, 10000 * MS, 60));
}

TEST(loss_delay_is_nine_eighths_of_the_larger_rtt)
{
	struct stt_rtt r;

	stt_rtt_init(&r);
	EXPECT_EQ(100 * MS, stt_rtt_loss_delay(&r, 100 * MS));
	stt_rtt_sample(&r, 80 * MS, 0);
	stt_rtt_sample(&r, 160 * MS, 0);	/* latest 160 > srtt 90 */
	EXPECT_EQ(180 * MS, stt_rtt_loss_delay(&r, 100 * MS));
}

TEST_HARNESS_MAIN
