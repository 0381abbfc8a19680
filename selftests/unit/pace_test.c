// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kernel/pace.c in user space: the rate from the window and
 * the RTT, the burst's bounds, back-to-back packets up to the burst and the
 * spacing after it, and a bucket that fills again while idle but no more
 * than one burst.
 */
#include "kselftest_harness.h"
#include "pace.h"

#define MSS 1000
#define MS 1000000ULL

TEST(rate_is_window_per_rtt_with_gain)
{
	/* 100 kB per 10 ms is 10 MB/s; 2x in slow start, 1.25x after. */
	EXPECT_EQ(20000000, stt_pace_rate(100000, ~0ULL, 10 * MS));
	EXPECT_EQ(12500000, stt_pace_rate(100000, 50000, 10 * MS));
	EXPECT_EQ(0, stt_pace_rate(100000, 50000, 0));	/* no sample yet */
	EXPECT_EQ(0, stt_pace_rate(1ULL << 32, 50000, 10 * MS));
	EXPECT_EQ(1, stt_pace_rate(1, 0, 1000 * 1000 * MS));
}

TEST(burst_is_a_millisecond_within_bounds)
{
	struct stt_pacer p = { 0 };

	/* The credit is the burst less the datagram being checked. */
	stt_pace_set(&p, 5000000, MSS);		/* 5 kB per ms: 5 datagrams */
	EXPECT_EQ(800000, p.burst);
	stt_pace_set(&p, 100000, MSS);		/* 100 B per ms: 2 */
	EXPECT_EQ(10 * MS, p.burst);
	stt_pace_set(&p, 100000000, MSS);	/* 100 kB per ms: 10 */
	EXPECT_EQ(90000, p.burst);
}

TEST(back_to_back_up_to_the_burst_then_spaced)
{
	struct stt_pacer p = { 0 };
	u64 now = 1000 * MS;
	int n = 0;

	stt_pace_set(&p, 1000000, MSS);		/* 1 kB per ms: burst 2 */
	while (!stt_pace_wait(&p, now) && n < 100) {
		stt_pace_sent(&p, now, MSS);
		n++;
	}
	EXPECT_EQ(2, n);
	EXPECT_EQ(1 * MS, stt_pace_wait(&p, now));
	now += MS;
	EXPECT_EQ(0, stt_pace_wait(&p, now));
	stt_pace_sent(&p, now, MSS);
	EXPECT_EQ(1 * MS, stt_pace_wait(&p, now));
}

TEST(idle_refills_one_burst_only)
{
	struct stt_pacer p = { 0 };
	u64 now = 1000 * MS;
	int n = 0;

	stt_pace_set(&p, 1000000, MSS);
	stt_pace_sent(&p, now, MSS);
	now += 1000 * MS;			/* a second of silence */
	while (!stt_pace_wait(&p, now) && n < 100) {
		stt_pace_sent(&p, now, MSS);
		n++;
	}
	EXPECT_EQ(2, n);
}

TEST(no_rate_no_wait)
{
	struct stt_pacer p = { 0 };
	int i;

	stt_pace_set(&p, 0, MSS);
	for (i = 0; i < 1000; i++) {
		EXPECT_EQ(0, stt_pace_wait(&p, 5));
		stt_pace_sent(&p, 5, 65535);
	}
}

TEST_HARNESS_MAIN
