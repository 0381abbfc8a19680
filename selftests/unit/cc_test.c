// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kernel/cc.c and kernel/newreno.c in user space: the
 * controllers' names, the initial window, slow start, one reduction per loss
 * event, congestion avoidance, no growth of a window the sender does not
 * fill, the undoing of a reduction whose losses were all spurious, and the
 * collapse after timeouts in a row, undone in the same way.  CUBIC and
 * HyStart++ are in cubic_test.c.
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
	stt_cc_sent(&c, 9 * MSS, 0, 0, T);
	EXPECT_TRUE(stt_cc_can_send(&c, MSS));
	stt_cc_sent(&c, MSS, 0, 0, T);
	EXPECT_FALSE(stt_cc_can_send(&c, 1));
}

TEST(slow_start_grows_by_what_is_acked)
{
	struct stt_cc c;

	stt_cc_init(&c, MSS, STT_CONGESTION_NEWRENO);
	stt_cc_sent(&c, 10 * MSS, 0, 0, T);
	acked(&c, 4 * MSS, 1);
	EXPECT_EQ(14 * MSS, c.cwnd);
	EXPECT_EQ(6 * MSS, c.in_flight);
}

/* RFC 9002 section 7.8: a window the sender does not fill does not grow. */
TEST(unused_window_does_not_grow)
{
	struct stt_cc c;
	int i;

	stt_cc_init(&c, MSS, STT_CONGESTION_NEWRENO);
	/* Slow start: the window may grow to twice what was in flight. */
	stt_cc_sent(&c, 4 * MSS, 1, 0, T);
	acked(&c, 4 * MSS, 1);
	EXPECT_EQ(10 * MSS, c.cwnd);
	EXPECT_FALSE(stt_cc_window_used(&c));
	stt_cc_sent(&c, 6 * MSS, 2, 2, T);
	EXPECT_TRUE(stt_cc_window_used(&c));
	for (i = 0; i < 5; i++)
		acked(&c, MSS, 2 + i);
	EXPECT_EQ(12 * MSS, c.cwnd);
	EXPECT_FALSE(stt_cc_window_used(&c));
	acked(&c, MSS, 7);

	/* Congestion avoidance: only a window that was full grows. */
	stt_cc_lost(&c, 0, 8, 9, T);		/* ssthresh = cwnd = 6 MSS */
	stt_cc_sent(&c, 5 * MSS, 9, 8, T);
	acked(&c, 5 * MSS, 9);
	stt_cc_sent(&c, 5 * MSS, 10, 10, T);
	acked(&c, 5 * MSS, 10);
	EXPECT_EQ(6 * MSS, c.cwnd);
	stt_cc_sent(&c, 6 * MSS, 11, 11, T);	/* full */
	EXPECT_TRUE(stt_cc_window_used(&c));
	acked(&c, 6 * MSS, 11);
	EXPECT_EQ(7 * MSS, c.cwnd);
	/* It counts until the packet that filled it is acknowledged. */
	stt_cc_sent(&c, MSS, 12, 11, T);
	EXPECT_TRUE(stt_cc_window_used(&c));
	stt_cc_sent(&c, MSS, 13, 12, T);
	EXPECT_FALSE(stt_cc_window_used(&c));
}

TEST(one_reduction_per_loss_event)
{
	struct stt_cc c;

	stt_cc_init(&c, MSS, STT_CONGESTION_NEWRENO);
	stt_cc_sent(&c, 10 * MSS, 0, 0, T);
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
	stt_cc_sent(&c, 5 * MSS, 0, 0, T);	/* the window is full */
	for (i = 0; i < 5; i++)
		acked(&c, MSS, 10 + i);
	EXPECT_EQ(6 * MSS, c.cwnd);
}

TEST(timeout_collapses_to_the_minimum)
{
	struct stt_cc c;

	stt_cc_init(&c, MSS, STT_CONGESTION_NEWRENO);
	stt_cc_collapse(&c, 7, 1);
	EXPECT_EQ(STT_CC_MIN * MSS, c.cwnd);
	EXPECT_EQ(5 * MSS, c.ssthresh);
	acked(&c, MSS, 6);		/* sent before: no growth */
	EXPECT_EQ(STT_CC_MIN * MSS, c.cwnd);
}

/* A probe timeout's packets leave the window, which keeps its size. */
TEST(probe_timeout_is_no_congestion_signal)
{
	struct stt_cc c;

	stt_cc_init(&c, MSS, STT_CONGESTION_NEWRENO);
	stt_cc_sent(&c, 10 * MSS, 0, 0, T);
	stt_cc_probed(&c, MSS, T);
	stt_cc_probed(&c, MSS, T);
	EXPECT_EQ(10 * MSS, c.cwnd);
	EXPECT_EQ(~0ULL, c.ssthresh);
	EXPECT_EQ(8 * MSS, c.in_flight);
}

TEST(reduction_undone_when_every_loss_was_spurious)
{
	struct stt_cc c;

	stt_cc_init(&c, MSS, STT_CONGESTION_NEWRENO);
	stt_cc_sent(&c, 10 * MSS, 0, 0, T);
	stt_cc_lost(&c, MSS, 3, 20, T);
	stt_cc_lost(&c, MSS, 4, 21, T);		/* same event */
	EXPECT_EQ(5 * MSS, c.cwnd);
	stt_cc_spurious(&c, 3);
	EXPECT_EQ(5 * MSS, c.cwnd);		/* one of two: not yet */
	stt_cc_spurious(&c, 4);
	EXPECT_EQ(10 * MSS, c.cwnd);
	EXPECT_EQ(~0ULL, c.ssthresh);
	stt_cc_spurious(&c, 4);			/* nothing left to undo */
	EXPECT_EQ(10 * MSS, c.cwnd);
}

TEST(reduction_kept_when_a_loss_was_real)
{
	struct stt_cc c;

	stt_cc_init(&c, MSS, STT_CONGESTION_NEWRENO);
	stt_cc_sent(&c, 10 * MSS, 0, 0, T);
	stt_cc_lost(&c, MSS, 3, 20, T);
	stt_cc_lost(&c, MSS, 20, 30, T);	/* a new event */
	stt_cc_spurious(&c, 3);			/* the old event's: no undo */
	EXPECT_EQ(2 * MSS + MSS / 2, c.cwnd);
	stt_cc_lost(&c, MSS, 21, 30, T);
	stt_cc_spurious(&c, 20);		/* one of two */
	EXPECT_EQ(2 * MSS + MSS / 2, c.cwnd);
	stt_cc_collapse(&c, 40, 22);		/* joins the event */
	stt_cc_lost(&c, MSS, 25, 40, T);
	stt_cc_spurious(&c, 25);
	EXPECT_EQ(2 * MSS, c.cwnd);		/* 21 was lost: it stays */
}

/*
 * The path got slower, nothing was lost: the probes' losses began an
 * event, the collapse joined it, and every packet they gave up on is
 * acknowledged after all.  The window comes back.
 */
TEST(collapse_undone_when_every_loss_was_spurious)
{
	struct stt_cc c;

	stt_cc_init(&c, MSS, STT_CONGESTION_NEWRENO);
	stt_cc_sent(&c, 10 * MSS, 0, 0, T);
	stt_cc_lost(&c, MSS, 1, 11, T);		/* the first probe timeout */
	stt_cc_lost(&c, MSS, 2, 11, T);
	EXPECT_EQ(5 * MSS, c.cwnd);
	stt_cc_collapse(&c, 13, 3);		/* the third: collapse */
	EXPECT_EQ(2 * MSS, c.cwnd);
	for (int pn = 3; pn <= 10; pn++)
		stt_cc_lost(&c, MSS, pn, 13, T);
	for (int pn = 1; pn <= 9; pn++)
		stt_cc_spurious(&c, pn);
	EXPECT_EQ(2 * MSS, c.cwnd);		/* one still unaccounted for */
	stt_cc_spurious(&c, 10);
	EXPECT_EQ(10 * MSS, c.cwnd);
	EXPECT_EQ(~0ULL, c.ssthresh);
}

/* A collapse with no event to join starts its own, undone alike. */
TEST(lone_collapse_undone)
{
	struct stt_cc c;

	stt_cc_init(&c, MSS, STT_CONGESTION_NEWRENO);
	stt_cc_sent(&c, 3 * MSS, 0, 0, T);
	stt_cc_collapse(&c, 4, 1);
	for (int pn = 1; pn <= 3; pn++)
		stt_cc_lost(&c, MSS, pn, 4, T);
	stt_cc_spurious(&c, 1);
	stt_cc_spurious(&c, 2);
	EXPECT_EQ(2 * MSS, c.cwnd);
	stt_cc_spurious(&c, 3);
	EXPECT_EQ(10 * MSS, c.cwnd);
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
