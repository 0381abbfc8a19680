// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kernel/cc.c and kernel/newreno.c in user space: the
 * controllers' names, the initial window, slow start, one reduction per loss
 * event, congestion avoidance, the undoing of a reduction whose losses were
 * all spurious, and the collapse after a timeout.  CUBIC and HyStart++ are
 * in cubic_test.c.
 */
#include "kselftest_harness.h"
#include "cc.h"

#define MSS 1000
/* A time for losses whose time does not matter. */
#define T 1

/* A packet acknowledged; NewReno needs no time or RTT. */
static void acked(struct stt_cc *c, u32 bytes, u64 pn)
{
	stt_cc_acked(c, bytes, pn, pn + 1, T, 0);
}

TEST(initial_window_and_can_send)
{
	struct stt_cc c;

	stt_cc_init(&c, MSS, STT_CONGESTION_NEWRENO);
	EXPECT_EQ(10 * MSS, c.cwnd);
	EXPECT_TRUE(stt_cc_can_send(&c, 50 * MSS));	/* nothing in flight */
	stt_cc_sent(&c, 9 * MSS, T);
	EXPECT_TRUE(stt_cc_can_send(&c, MSS));
	stt_cc_sent(&c, MSS, T);
	EXPECT_FALSE(stt_cc_can_send(&c, 1));
}

TEST(slow_start_grows_by_what_is_acked)
{
	struct stt_cc c;

	stt_cc_init(&c, MSS, STT_CONGESTION_NEWRENO);
	stt_cc_sent(&c, 4 * MSS, T);
	acked(&c, 4 * MSS, 1);
	EXPECT_EQ(14 * MSS, c.cwnd);
	EXPECT_EQ(0, c.in_flight);
}

TEST(one_reduction_per_loss_event)
{
	struct stt_cc c;

	stt_cc_init(&c, MSS, STT_CONGESTION_NEWRENO);
	stt_cc_sent(&c, 10 * MSS, T);
	stt_cc_lost(&c, MSS, 3, 20, T);
	EXPECT_EQ(5 * MSS, c.cwnd);
	EXPECT_EQ(5 * MSS, c.ssthresh);
	stt_cc_lost(&c, MSS, 4, 21, T);		/* sent before the reduction */
	EXPECT_EQ(5 * MSS, c.cwnd);
	acked(&c, MSS, 5);		/* no growth in recovery */
	EXPECT_EQ(5 * MSS, c.cwnd);
	stt_cc_lost(&c, MSS, 20, 30, T);		/* a new event */
	EXPECT_EQ(2 * MSS + MSS / 2, c.cwnd);
	EXPECT_EQ(6 * MSS, c.in_flight);
}

TEST(congestion_avoidance_adds_one_datagram_per_window)
{
	struct stt_cc c;
	int i;

	stt_cc_init(&c, MSS, STT_CONGESTION_NEWRENO);
	stt_cc_lost(&c, 0, 1, 2, T);		/* ssthresh = cwnd = 5 MSS */
	for (i = 0; i < 5; i++) {
		stt_cc_sent(&c, MSS, T);
		acked(&c, MSS, 10 + i);
	}
	EXPECT_EQ(6 * MSS, c.cwnd);
}

TEST(timeout_collapses_to_the_minimum)
{
	struct stt_cc c;

	stt_cc_init(&c, MSS, STT_CONGESTION_NEWRENO);
	stt_cc_collapse(&c, 7);
	EXPECT_EQ(STT_CC_MIN * MSS, c.cwnd);
	EXPECT_EQ(5 * MSS, c.ssthresh);
	acked(&c, MSS, 6);		/* sent before: no growth */
	EXPECT_EQ(STT_CC_MIN * MSS, c.cwnd);
}

TEST(reduction_undone_when_every_loss_was_spurious)
{
	struct stt_cc c;

	stt_cc_init(&c, MSS, STT_CONGESTION_NEWRENO);
	stt_cc_sent(&c, 10 * MSS, T);
	stt_cc_lost(&c, MSS, 3, 20, 100);
	stt_cc_lost(&c, MSS, 4, 21, 101);	/* same event */
	EXPECT_EQ(5 * MSS, c.cwnd);
	stt_cc_spurious(&c, 100);
	EXPECT_EQ(5 * MSS, c.cwnd);		/* one of two: not yet */
	stt_cc_spurious(&c, 101);
	EXPECT_EQ(10 * MSS, c.cwnd);
	EXPECT_EQ(~0ULL, c.ssthresh);
	stt_cc_spurious(&c, 101);		/* nothing left to undo */
	EXPECT_EQ(10 * MSS, c.cwnd);
}

TEST(reduction_kept_when_a_loss_was_real)
{
	struct stt_cc c;

	stt_cc_init(&c, MSS, STT_CONGESTION_NEWRENO);
	stt_cc_sent(&c, 10 * MSS, T);
	stt_cc_lost(&c, MSS, 3, 20, 100);
	stt_cc_lost(&c, MSS, 20, 30, 200);	/* a new event */
	stt_cc_spurious(&c, 100);		/* the old event's: no undo */
	EXPECT_EQ(2 * MSS + MSS / 2, c.cwnd);
	stt_cc_lost(&c, MSS, 21, 30, 201);
	stt_cc_spurious(&c, 200);		/* one of two */
	EXPECT_EQ(2 * MSS + MSS / 2, c.cwnd);
	stt_cc_collapse(&c, 40);
	stt_cc_lost(&c, MSS, 25, 40, 300);	/* counted in the collapse */
	stt_cc_spurious(&c, 201);
	stt_cc_spurious(&c, 300);
	EXPECT_EQ(2 * MSS, c.cwnd);		/* a timeout stays */
}

TEST(names)
{
	struct stt_cc c;
	int i;

	EXPECT_EQ(STT_CONGESTION_NEWRENO, stt_cc_find("newreno"));
	EXPECT_EQ(STT_CONGESTION_CUBIC, stt_cc_find("cubic"));
	EXPECT_EQ(-ENOENT, stt_cc_find("reno"));
	EXPECT_EQ(-ENOENT, stt_cc_find(""));
	EXPECT_EQ(-ENOENT, stt_cc_find("cubic "));
	EXPECT_STREQ("newreno", stt_cc_name(STT_CONGESTION_NEWRENO));
	EXPECT_STREQ("cubic", stt_cc_name(STT_CONGESTION_CUBIC));
	EXPECT_STREQ("", stt_cc_name(0));
	EXPECT_STREQ("", stt_cc_name(STT_CC_ALGOS + 1));
	/* Every controller has a name that fits the option's buffer. */
	EXPECT_EQ(STT_CONGESTION_CUBIC, STT_CC_ALGOS);
	for (i = 1; i <= STT_CC_ALGOS; i++) {
		EXPECT_LT(0, strlen(stt_cc_name(i)));
		EXPECT_GT(STT_CONGESTION_NAME_MAX, strlen(stt_cc_name(i)));
		EXPECT_EQ(i, stt_cc_find(stt_cc_name(i)));
	}
	stt_cc_init(&c, MSS, 0);		/* an unknown number: NewReno */
	EXPECT_EQ(STT_CONGESTION_NEWRENO, c.algo);
	EXPECT_EQ(STT_CC_PHASE_SLOW_START, stt_cc_phase(&c));
	EXPECT_EQ(0, stt_cc_w_max(&c));
}

TEST_HARNESS_MAIN
