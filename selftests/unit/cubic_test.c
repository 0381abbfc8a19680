// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kernel/cubic.c and kernel/hystart.c in user space, against
 * the formulas of RFC 9438 (CUBIC) and RFC 9406 (HyStart++) computed here in
 * floating point: the integer cube root, K and W_cubic(t) for C = 0.4 and
 * beta_cubic = 0.7, fast convergence, growth towards W_cubic one RTT ahead,
 * the Reno-friendly estimate W_est and its alpha, idle time left out of the
 * epoch, no growth of a window not used, the undoing of a spurious
 * reduction with CUBIC's state, the epoch after a timeout; HyStart++'s exit
 * to conservative slow start when a round's smallest RTT rises by
 * clamp(last / 8, 4 ms, 16 ms), its return to slow start when the RTT falls
 * again, and its end after five rounds.
 */
#include "kselftest_harness.h"
#include "cc.h"

#define MSS	1000
#define MS	1000000ULL
#define SEC	1000000000ULL
/* A clock that does not start at 0. */
#define T0	(1000 * SEC)

/* W_cubic(t) of RFC 9438 in segments, t and K in seconds. */
static double w_cubic(double t, double k, double w_max)
{
	double d = t - k;

	return 0.4 * d * d * d + w_max;
}

/* |a - b| <= tol */
static int near(double a, double b, double tol)
{
	return a - b <= tol && b - a <= tol;
}

/*
 * A controller whose window counts as used (stt_cc_window_used()): these
 * tests are about the arithmetic of its growth; cc_test.c tests the gate.
 */
static void cc_init_used(struct stt_cc *c, u8 algo)
{
	stt_cc_init(c, MSS, algo);
	c->cwnd_limited = true;
}

/*
 * A CUBIC session whose window was @w segments when a loss of packet @pn
 * (the next to be sent: @pn + 1) began a congestion event at T0.
 */
static void cubic_after_loss(struct stt_cc *c, u64 w, u64 pn)
{
	cc_init_used(c, STT_CONGESTION_CUBIC);
	c->cwnd = w * MSS;
	c->ssthresh = w * MSS;	/* past slow start */
	stt_cc_lost(c, 0, pn, pn + 1, T0);
}

TEST(cube_root_is_exact)
{
	u64 x, y;
	int i;

	EXPECT_EQ(0, stt_cubic_root(0));
	EXPECT_EQ(1, stt_cubic_root(1));
	EXPECT_EQ(1, stt_cubic_root(7));
	EXPECT_EQ(2, stt_cubic_root(8));
	EXPECT_EQ(2, stt_cubic_root(26));
	EXPECT_EQ(3, stt_cubic_root(27));
	EXPECT_EQ(4, stt_cubic_root(75));
	EXPECT_EQ(1ULL << 21, stt_cubic_root(1ULL << 63));
	EXPECT_EQ((1ULL << 21) - 1, stt_cubic_root((1ULL << 63) - 1));
	EXPECT_EQ(2642245, stt_cubic_root(~0ULL));
	/* y^3 <= x < (y + 1)^3 over values of every size. */
	for (i = 0, x = 1; i < 2000; i++, x = x * 6364136223846793005ULL +
	     1442695040888963407ULL) {
		u64 v = x >> (i % 64);

		y = stt_cubic_root(v);
		ASSERT_TRUE((__uint128_t)y * y * y <= v);
		ASSERT_TRUE((__uint128_t)(y + 1) * (y + 1) * (y + 1) > v);
	}
}

/* RFC 9438 section 4.6: cwnd and ssthresh to 0.7 of the window, W_max it. */
TEST(reduction_is_beta_cubic)
{
	struct stt_cc c;

	cubic_after_loss(&c, 100, 5);
	EXPECT_EQ(70 * MSS, c.cwnd);
	EXPECT_EQ(70 * MSS, c.ssthresh);
	EXPECT_EQ(100 * MSS, c.cubic.w_max);
	EXPECT_EQ(100 * MSS, stt_cc_w_max(&c));
	EXPECT_EQ(100 * MSS, c.cubic.cwnd_prior);
	EXPECT_EQ(STT_CC_PHASE_AVOIDANCE, stt_cc_phase(&c));
	/* Never below the minimum. */
	cubic_after_loss(&c, 2, 5);
	EXPECT_EQ(STT_CC_MIN * MSS, c.cwnd);
}

/*
 * RFC 9438 section 4.2: W_max = 100, cwnd_epoch = 70 segments, so
 * K = cbrt(30 / 0.4) = 4.2172 s; W_cubic(t) = 0.4 (t - K)^3 + 100.
 */
TEST(k_and_w_cubic_follow_the_formula)
{
	static const double ts[] = { 0, 0.5, 1, 2, 3, 4, 4.2172, 5, 6, 8, 10,
				     20, 60 };
	double k = 4.217163327, w;
	struct stt_cc c;
	unsigned int i;

	cubic_after_loss(&c, 100, 5);
	/* The first acknowledgment of a packet sent after it: the epoch. */
	stt_cc_acked(&c, 0, 6, 7, T0 + 10 * MS, 0);
	ASSERT_TRUE(c.cubic.in_epoch);
	EXPECT_EQ(T0 + 10 * MS, c.cubic.epoch);
	EXPECT_TRUE(near(c.cubic.k, k * SEC, 2 * MS));
	TH_LOG("K = %.4f s (RFC: %.4f s)", (double)c.cubic.k / SEC, k);
	for (i = 0; i < ARRAY_SIZE(ts); i++) {
		w = w_cubic(ts[i], k, 100) * MSS;
		EXPECT_TRUE(near(stt_cubic_window(&c, ts[i] * SEC), w,
				 w / 500 + 2)) {
			TH_LOG("t %.4f: W %llu, RFC %.0f", ts[i],
			       (unsigned long long)stt_cubic_window(&c, ts[i] * SEC), w);
		}
	}
	/* At t = 0 the curve starts at the window, at K it is W_max. */
	EXPECT_TRUE(near(stt_cubic_window(&c, 0), 70 * MSS, 100));
	EXPECT_TRUE(near(stt_cubic_window(&c, c.cubic.k), 100 * MSS, 1));
}

/* RFC 9438 section 4.7: a loss before the window is back at W_max. */
TEST(fast_convergence)
{
	struct stt_cc c;

	cubic_after_loss(&c, 100, 5);		/* W_max 100, cwnd 70 */
	c.cwnd = 80 * MSS;			/* grew to 80 only */
	stt_cc_lost(&c, 0, 10, 11, T0 + SEC);
	EXPECT_EQ(68 * MSS, c.cubic.w_max);	/* 80 * (1 + 0.7) / 2 */
	EXPECT_EQ(56 * MSS, c.cwnd);		/* 80 * 0.7 */
	EXPECT_EQ(80 * MSS, c.cubic.cwnd_prior);
	/* Past W_max: W_max is the window. */
	c.cwnd = 90 * MSS;
	stt_cc_lost(&c, 0, 20, 21, T0 + 2 * SEC);
	EXPECT_EQ(90 * MSS, c.cubic.w_max);
	EXPECT_EQ(63 * MSS, c.cwnd);
}

/* RFC 9438 section 5.8: a window the sender does not fill does not grow. */
TEST(unused_window_does_not_grow)
{
	struct stt_cc c;
	u64 before;

	cubic_after_loss(&c, 100, 5);
	c.cwnd_limited = false;		/* 10 of 70 in flight, say */
	c.max_in_flight = 10 * MSS;
	before = c.cwnd;
	stt_cc_acked(&c, 0, 6, 7, T0, 0);
	stt_cc_acked(&c, MSS, 7, 8, T0 + SEC, 100 * MS);
	EXPECT_EQ(before, c.cwnd);
	/* In slow start too, beyond twice what was in flight. */
	cc_init_used(&c, STT_CONGESTION_CUBIC);
	c.cwnd_limited = false;
	c.max_in_flight = 4 * MSS;
	stt_cc_acked(&c, MSS, 1, 2, T0, 0);
	EXPECT_EQ(10 * MSS, c.cwnd);
	c.max_in_flight = 6 * MSS;
	stt_cc_acked(&c, MSS, 2, 3, T0, 0);
	EXPECT_EQ(11 * MSS, c.cwnd);
}

/*
 * RFC 9438 section 4.4 and 4.5: each acknowledgment adds
 * (target - cwnd) / cwnd, target = W_cubic(t + RTT), at most 1.5 cwnd.
 */
TEST(growth_towards_w_cubic_one_rtt_ahead)
{
	double k = 4.217163327, target, want;
	u64 before;
	struct stt_cc c;

	cubic_after_loss(&c, 100, 5);
	stt_cc_acked(&c, 0, 6, 7, T0, 0);	/* the epoch begins at T0 */
	/* One second in, with an RTT of 100 ms: concave region. */
	before = c.cwnd;
	stt_cc_acked(&c, MSS, 7, 8, T0 + SEC, 100 * MS);
	target = w_cubic(1.1, k, 100) * MSS;
	want = (target - before) * MSS / before;
	TH_LOG("concave: +%llu bytes, RFC %.1f", (unsigned long long)(c.cwnd - before),
	       want);
	EXPECT_TRUE(near(c.cwnd - before, want, 2));

	/* Far in the convex region the target is capped at 1.5 cwnd. */
	before = c.cwnd;
	stt_cc_acked(&c, MSS, 8, 9, T0 + 30 * SEC, 100 * MS);
	EXPECT_TRUE(near(c.cwnd - before, before / 2 * MSS / before, 1));
}

/*
 * RFC 9438 section 4.3: W_est starts at the window of the epoch and grows
 * by alpha_cubic = 3 (1 - 0.7) / (1 + 0.7) segments per window acknowledged,
 * by 1 once it reaches cwnd_prior; while it is above W_cubic(t) the window
 * is W_est.
 */
TEST(reno_friendly_region)
{
	struct stt_cc c;
	u64 pn = 6, w0;
	int i;

	cubic_after_loss(&c, 100, 5);
	/* A window of acknowledgments all at the epoch's start (t = 0). */
	w0 = c.cwnd;
	for (i = 0; i < 70; i++, pn++)
		stt_cc_acked(&c, MSS, pn, pn + 1, T0, 0);
	TH_LOG("W_est %llu after one window from %llu", (unsigned long long)c.cubic.w_est,
	       (unsigned long long)w0);
	/* 70000 + 1000 * 9 / 17 = 70529, less for the window's own growth */
	EXPECT_TRUE(near(c.cubic.w_est, w0 + MSS * 9.0 / 17, 8));
	EXPECT_EQ(c.cubic.w_est, c.cwnd);	/* W_cubic(0) = 70 < W_est */

	/* Once W_est is past cwnd_prior, alpha is 1: a segment per window. */
	c.cubic.w_est = 100 * MSS;
	c.cwnd = 100 * MSS;
	c.cubic.est_frac = 0;
	for (i = 0; i < 100; i++, pn++)
		stt_cc_acked(&c, MSS, pn, pn + 1, T0, 0);
	EXPECT_TRUE(near(c.cubic.w_est, 101 * MSS, 6));
	EXPECT_EQ(c.cubic.w_est, c.cwnd);

	/* Where W_cubic(t) is above W_est, the cubic function rules. */
	stt_cc_acked(&c, MSS, pn, pn + 1, T0 + 10 * SEC, 0);
	EXPECT_LT(c.cubic.w_est + MSS / 4, c.cwnd);
}

/* RFC 9438 section 5.8: time with nothing in flight is not epoch time. */
TEST(idle_time_does_not_count)
{
	struct stt_cc c;

	cubic_after_loss(&c, 100, 5);
	stt_cc_sent(&c, MSS, 0, 0, T0);
	stt_cc_acked(&c, MSS, 6, 7, T0 + 10 * MS, 0);
	EXPECT_EQ(T0 + 10 * MS, c.cubic.epoch);
	EXPECT_EQ(0, c.in_flight);
	/* Idle from the acknowledgment to the next send: 5 s. */
	stt_cc_sent(&c, MSS, 0, 0, T0 + 10 * MS + 5 * SEC);
	EXPECT_EQ(T0 + 10 * MS + 5 * SEC, c.cubic.epoch);
	/* Not while something is in flight. */
	stt_cc_sent(&c, MSS, 0, 0, T0 + 6 * SEC);
	EXPECT_EQ(T0 + 10 * MS + 5 * SEC, c.cubic.epoch);
	/* A loss that empties the flight starts an idle time too. */
	stt_cc_lost(&c, 2 * MSS, 7, 9, T0 + 7 * SEC);
	EXPECT_FALSE(c.cubic.in_epoch);		/* (a new event) */
	stt_cc_acked(&c, 0, 9, 10, T0 + 8 * SEC, 0);
	stt_cc_sent(&c, MSS, 0, 0, T0 + 9 * SEC);
	EXPECT_EQ(T0 + 9 * SEC, c.cubic.epoch);	/* idle since it began */
}

/* RFC 9438 section 4.9: undoing a spurious reduction restores CUBIC too. */
TEST(spurious_undo_restores_cubic_state)
{
	struct stt_cc c;
	u64 k, epoch, w_max, w_est;

	cubic_after_loss(&c, 100, 5);
	stt_cc_acked(&c, 0, 6, 7, T0 + 10 * MS, 0);
	c.cwnd = 90 * MSS;
	k = c.cubic.k;
	epoch = c.cubic.epoch;
	w_max = c.cubic.w_max;
	w_est = c.cubic.w_est;
	stt_cc_lost(&c, MSS, 50, 60, T0 + SEC);	/* a new event */
	stt_cc_lost(&c, MSS, 51, 60, T0 + SEC);
	EXPECT_EQ(63 * MSS, c.cwnd);
	EXPECT_FALSE(c.cubic.in_epoch);
	stt_cc_acked(&c, MSS, 61, 62, T0 + 2 * SEC, 0);	/* a new epoch */
	stt_cc_spurious(&c, T0 + SEC);
	EXPECT_EQ(63 * MSS, c.cwnd);		/* one of two */
	stt_cc_spurious(&c, T0 + SEC);
	EXPECT_EQ(90 * MSS, c.cwnd);
	EXPECT_EQ(70 * MSS, c.ssthresh);
	EXPECT_TRUE(c.cubic.in_epoch);
	EXPECT_EQ(k, c.cubic.k);
	EXPECT_EQ(epoch, c.cubic.epoch);
	EXPECT_EQ(w_max, c.cubic.w_max);
	EXPECT_EQ(w_est, c.cubic.w_est);
	EXPECT_EQ(100 * MSS, c.cubic.cwnd_prior);
}

/*
 * RFC 9438 section 4.8: after a timeout, slow start up to 0.7 of the
 * window, then an epoch with K = 0 and W_max the window it starts with.
 */
TEST(timeout_then_epoch_with_k_zero)
{
	struct stt_cc c;
	u64 pn = 100;

	cubic_after_loss(&c, 100, 5);
	stt_cc_collapse(&c, pn, 1);
	EXPECT_EQ(STT_CC_MIN * MSS, c.cwnd);
	EXPECT_EQ(70 * MSS, c.ssthresh);	/* kept: above 0.7 of 70 */
	EXPECT_EQ(0, c.cubic.w_max);
	EXPECT_EQ(STT_CC_PHASE_SLOW_START, stt_cc_phase(&c));
	while (c.cwnd < c.ssthresh) {
		stt_cc_acked(&c, MSS, pn, pn + 1, T0 + SEC, 0);
		pn++;
	}
	EXPECT_EQ(70 * MSS, c.cwnd);
	stt_cc_acked(&c, MSS, pn, pn + 1, T0 + 2 * SEC, 0);
	EXPECT_EQ(0, c.cubic.k);
	EXPECT_EQ(70 * MSS, c.cubic.w_max);
	/* Convex from the start: W_cubic(2 s) = 70 + 0.4 * 8 segments. */
	EXPECT_TRUE(near(stt_cubic_window(&c, 2 * SEC), 73.2 * MSS, 2));
	/* The first timeout, in slow start: 0.7 of the window. */
	cc_init_used(&c, STT_CONGESTION_CUBIC);
	stt_cc_collapse(&c, 1, 0);
	EXPECT_EQ(7 * MSS, c.ssthresh);
}

/*
 * HyStart++ rounds: @n packets of MSS sent from *@pn at *@now, all
 * acknowledged one RTT later, each with an RTT sample of @rtt.
 */
static void round_trip(struct stt_cc *c, u64 *pn, int n, u64 rtt, u64 *now)
{
	u64 first = *pn;
	int i;

	for (i = 0; i < n; i++, (*pn)++)
		stt_cc_sent(c, MSS, 0, 0, *now);
	*now += rtt;
	for (i = 0; i < n; i++) {
		stt_cc_acked(c, MSS, first + i, *pn, *now, rtt);
		stt_cc_rtt_sample(c, rtt);
	}
}

/* Whether two rounds of 10 and 20 packets at these RTTs begin CSS. */
static bool css_after(u64 rtt1, u64 rtt2)
{
	struct stt_cc c;
	u64 pn = 0, now = T0;

	cc_init_used(&c, STT_CONGESTION_CUBIC);
	round_trip(&c, &pn, 10, rtt1, &now);
	round_trip(&c, &pn, 20, rtt2, &now);
	return stt_cc_phase(&c) == STT_CC_PHASE_CONSERVATIVE;
}

TEST(hystart_css_on_rtt_rise_by_the_clamped_threshold)
{
	struct stt_cc c;
	u64 pn = 0, now = T0;

	/* Threshold max(4 ms, min(last / 8, 16 ms)). */
	EXPECT_FALSE(css_after(300000, 4300000 - 1));	/* 0.3 ms: 4 ms */
	EXPECT_TRUE(css_after(300000, 4300000));
	EXPECT_FALSE(css_after(10 * MS, 14 * MS - 1));	/* 10 ms: 4 ms */
	EXPECT_TRUE(css_after(10 * MS, 14 * MS));
	EXPECT_FALSE(css_after(80 * MS, 90 * MS - 1));	/* 80 ms: 10 ms */
	EXPECT_TRUE(css_after(80 * MS, 90 * MS));
	EXPECT_FALSE(css_after(200 * MS, 216 * MS - 1));	/* 200 ms: 16 ms */
	EXPECT_TRUE(css_after(200 * MS, 216 * MS));
	EXPECT_FALSE(css_after(20 * MS, 10 * MS));	/* a fall */

	/* The window: slow start, then a quarter from the 8th sample on. */
	cc_init_used(&c, STT_CONGESTION_CUBIC);
	round_trip(&c, &pn, 10, 10 * MS, &now);
	EXPECT_EQ(20 * MSS, c.cwnd);
	round_trip(&c, &pn, 20, 14 * MS - 1, &now);	/* just short */
	EXPECT_EQ(STT_CC_PHASE_SLOW_START, stt_cc_phase(&c));
	EXPECT_EQ(40 * MSS, c.cwnd);
	round_trip(&c, &pn, 40, 18 * MS - 1, &now);	/* 4 ms above 14 */
	EXPECT_EQ(STT_CC_PHASE_CONSERVATIVE, stt_cc_phase(&c));
	EXPECT_EQ(40 * MSS + 8 * MSS + 32 * MSS / 4, c.cwnd);
	EXPECT_EQ(~0ULL, c.ssthresh);
	EXPECT_EQ(0, stt_cc_w_max(&c));

	/* Fewer than 8 samples in a round: no decision. */
	cc_init_used(&c, STT_CONGESTION_CUBIC);
	round_trip(&c, &pn, 7, 10 * MS, &now);
	round_trip(&c, &pn, 7, 50 * MS, &now);
	EXPECT_FALSE(c.cubic.hs.css);
	EXPECT_EQ(24 * MSS, c.cwnd);

	/* NewReno has no HyStart++. */
	cc_init_used(&c, STT_CONGESTION_NEWRENO);
	round_trip(&c, &pn, 10, 10 * MS, &now);
	round_trip(&c, &pn, 20, 50 * MS, &now);
	EXPECT_EQ(STT_CC_PHASE_SLOW_START, stt_cc_phase(&c));
	EXPECT_EQ(40 * MSS, c.cwnd);
}

TEST(hystart_back_to_slow_start_when_rtt_falls)
{
	struct stt_cc c;
	u64 pn = 0, now = T0;

	cc_init_used(&c, STT_CONGESTION_CUBIC);
	round_trip(&c, &pn, 10, 10 * MS, &now);
	round_trip(&c, &pn, 20, 20 * MS, &now);
	ASSERT_EQ(STT_CC_PHASE_CONSERVATIVE, stt_cc_phase(&c));
	EXPECT_EQ(20 * MS, c.cubic.hs.css_baseline);
	/* The next round's RTT is below the baseline: it was jitter. */
	round_trip(&c, &pn, 16, 15 * MS, &now);
	EXPECT_EQ(STT_CC_PHASE_SLOW_START, stt_cc_phase(&c));
	EXPECT_EQ(~0ULL, c.ssthresh);
	/* 20 + 8 + 12 / 4 segments, then 8 samples in CSS, 8 in slow start. */
	EXPECT_EQ(31 * MSS + 8 * MSS / 4 + 8 * MSS, c.cwnd);
}

TEST(hystart_css_ends_after_five_rounds)
{
	struct stt_cc c;
	u64 pn = 0, now = T0, w;
	int i;

	cc_init_used(&c, STT_CONGESTION_CUBIC);
	round_trip(&c, &pn, 10, 10 * MS, &now);
	round_trip(&c, &pn, 20, 20 * MS, &now);	/* CSS's first round */
	ASSERT_TRUE(c.cubic.hs.css);
	for (i = 2; i <= 5; i++) {
		round_trip(&c, &pn, 16, 20 * MS, &now);
		EXPECT_EQ(STT_CC_PHASE_CONSERVATIVE, stt_cc_phase(&c));
	}
	/* The first acknowledgment of the next round ends CSS's 5th. */
	w = c.cwnd;
	round_trip(&c, &pn, 16, 20 * MS, &now);
	EXPECT_EQ(STT_CC_PHASE_AVOIDANCE, stt_cc_phase(&c));
	EXPECT_EQ(w, c.ssthresh);
	EXPECT_EQ(w, c.cubic.cwnd_prior);
	/* The epoch began with W_max unknown: K = 0, W_max the window. */
	EXPECT_TRUE(c.cubic.in_epoch);
	EXPECT_EQ(0, c.cubic.k);
	EXPECT_EQ(w, c.cubic.w_max);
	/* A loss now is an ordinary reduction; HyStart++ is over. */
	w = c.cwnd;
	stt_cc_lost(&c, 0, pn - 1, pn, now);
	EXPECT_EQ(w * 7 / 10, c.cwnd);
	round_trip(&c, &pn, 10, 50 * MS, &now);
	EXPECT_FALSE(c.cubic.hs.css);
}

TEST(loss_in_slow_start_ends_hystart)
{
	struct stt_cc c;
	u64 pn = 0, now = T0, lost_at;

	cc_init_used(&c, STT_CONGESTION_CUBIC);
	round_trip(&c, &pn, 10, 10 * MS, &now);
	lost_at = now;
	stt_cc_lost(&c, 0, pn - 1, pn, lost_at);
	EXPECT_EQ(14 * MSS, c.cwnd);
	EXPECT_EQ(20 * MSS, c.cubic.w_max);
	round_trip(&c, &pn, 14, 10 * MS, &now);
	round_trip(&c, &pn, 14, 50 * MS, &now);
	EXPECT_FALSE(c.cubic.hs.css);
	EXPECT_EQ(STT_CC_PHASE_AVOIDANCE, stt_cc_phase(&c));
	/* Undone: slow start and HyStart++ go on. */
	stt_cc_spurious(&c, lost_at);
	EXPECT_EQ(~0ULL, c.ssthresh);
	EXPECT_EQ(20 * MSS, c.cwnd);
	EXPECT_EQ(STT_CC_PHASE_SLOW_START, stt_cc_phase(&c));
}

TEST_HARNESS_MAIN
