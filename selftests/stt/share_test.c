// SPDX-License-Identifier: GPL-2.0
/*
 * Sharing a bottleneck: an STT stream and another flow (a TCP connection, or
 * an STT stream of another session) run from stt-b to stt-a at once, through
 * a router (stt-r) whose link toward stt-a is rate-limited by tbf, with delay
 * added on the way back; or with the rate limit on the sender's own
 * interface.  Each sends as fast as its congestion control lets it.  Over a
 * measured interval, after both have left slow start, each must have
 * delivered its share of what the link carries (see the bars below), and
 * together most of it; the shares and Jain's fairness index are printed.
 * Alone, the STT stream must fill 90 % of the link.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "kselftest_harness.h"
#include "pair.h"

#define TCP_PORT	7004

/* One flow: a sender in stt-b, a receiver in stt-a that counts. */
struct flow {
	int tx, rx;
	int stop;
	long long got;		/* bytes received so far (atomic) */
	int tx_err, rx_err;
};

static void *flow_send(void *arg)
{
	struct flow *f = arg;
	static char buf[65536];
	ssize_t n;

	while (!__atomic_load_n(&f->stop, __ATOMIC_RELAXED)) {
		n = send(f->tx, buf, sizeof(buf), MSG_NOSIGNAL);
		if (n < 0) {
			f->tx_err = errno;
			break;
		}
	}
	if (shutdown(f->tx, SHUT_WR) && !f->tx_err)
		f->tx_err = errno;
	return NULL;
}

static void *flow_recv(void *arg)
{
	static __thread char buf[65536];
	struct flow *f = arg;
	ssize_t n;

	for (;;) {
		n = recv(f->rx, buf, sizeof(buf), 0);
		if (n <= 0) {
			f->rx_err = n ? errno : 0;
			break;
		}
		__atomic_add_fetch(&f->got, n, __ATOMIC_RELAXED);
	}
	return NULL;
}

static long long got(struct flow *f)
{
	return __atomic_load_n(&f->got, __ATOMIC_RELAXED);
}

/*
 * What both senders' congestion control did, every @every_ms until @stop:
 * STT_INFO of the STT stream and TCP_INFO of the TCP connection (window in
 * bytes, smoothed RTT), with the STT losses counted meanwhile (declared
 * lost / of them spurious / timeouts) and the TCP segments resent, one line
 * each time into the log.
 */
struct trace {
	struct __test_metadata *md;
	int stt, tcp, every_ms;
	int stop;
};

static void *trace_run(void *arg)
{
	struct trace *t = arg;
	struct __test_metadata *_metadata = t->md;
	long long t0 = ms_now(), lost0 = 0, spur0 = 0, rto0 = 0, rtx0 = 0;

	while (!__atomic_load_n(&t->stop, __ATOMIC_RELAXED)) {
		struct stt_info si;
		struct tcp_info ti;
		socklen_t sl = sizeof(si), tl = sizeof(ti);
		long long lost = stat_in("stt-b", "packets_lost");
		long long spur = stat_in("stt-b", "packets_lost_spurious");
		long long rto = stat_in("stt-b", "rto_fired");

		memset(&ti, 0, sizeof(ti));
		if (t->tcp >= 0 &&
		    getsockopt(t->tcp, IPPROTO_TCP, TCP_INFO, &ti, &tl))
			memset(&ti, 0, sizeof(ti));
		if (!getsockopt(t->stt, SOL_STT, STT_INFO, &si, &sl))
			TH_LOG("%4.1fs STT %6uB %3ums lost %lld/%lld/%lld, TCP %6uB %3ums rtx %lld",
			       (ms_now() - t0) / 1000.0, si.stti_cwnd,
			       si.stti_srtt_us / 1000,
			       lost - lost0, spur - spur0, rto - rto0,
			       ti.tcpi_snd_cwnd * ti.tcpi_snd_mss,
			       ti.tcpi_rtt / 1000,
			       ti.tcpi_total_retrans - rtx0);
		rtx0 = ti.tcpi_total_retrans;
		lost0 = lost;
		spur0 = spur;
		rto0 = rto;
		usleep(t->every_ms * 1000);
	}
	return NULL;
}

static void bufs(int fd, int bytes)
{
	struct timeval tv = { .tv_sec = 60 };

	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* What shares the link with the STT stream. */
enum { OTHER_TCP, OTHER_STT, OTHER_NONE };

FIXTURE(routed) {
	int stt_srv, stt_srv2, tcp_srv;
	struct sockaddr_stt srv_addr, srv2_addr;
	struct sockaddr_in tcp_addr;
};

/*
 * One case of sharing: the link's rate (under the debug kernel, which moves
 * some 30 times less, an eighth of it: at a quarter, STT
 * alone was short of CPU to fill the link) and the delay added on the way back;
 * what runs beside the STT stream (a TCP connection with Linux's default
 * congestion control, CUBIC; an STT stream of another session; nothing);
 * whether the rate limit is a router's (a tbf at stt-r) or the sender's own
 * (a tbf on stt-b's interface, where the local queue limit matters); and the
 * share of the link each flow must get.
 */
FIXTURE_VARIANT(routed) {
	int mbit;
	int delay_ms;
	int other;
	bool local;
	bool stock_only;	/* not under the debug kernel (see its case) */
	double lo;		/* the STT stream's share, at least */
	double other_lo;	/* the other flow's */
};

/*
 * The bars hold with margin over every run measured (Documentation/stt.rst,
 * Fairness); against TCP through a router they are below the 0.4 aimed at:
 * there STT still gets some 0.55 of the link (issue 13).  With two flows an
 * upper bar on one is the lower bar on the other.
 */
FIXTURE_VARIANT_ADD(routed, tcp_8mbit_10ms) {
	.mbit = 8, .delay_ms = 10, .other = OTHER_TCP,
	.lo = 0.3, .other_lo = 0.28,
};

/*
 * Under the debug kernel this link runs at 500 kbit/s, some 40 packets a
 * second and a queue of 13: TCP got 0.18 of it in one run and 0.34 in the
 * next, too wide to bar.
 */
FIXTURE_VARIANT_ADD(routed, tcp_4mbit_60ms) {
	.mbit = 4, .delay_ms = 60, .other = OTHER_TCP, .stock_only = true,
	.lo = 0.3, .other_lo = 0.25,
};

FIXTURE_VARIANT_ADD(routed, two_sessions_8mbit_10ms) {
	.mbit = 8, .delay_ms = 10, .other = OTHER_STT,
	.lo = 0.33, .other_lo = 0.33,
};

FIXTURE_VARIANT_ADD(routed, tcp_sender_qdisc_8mbit) {
	.mbit = 8, .delay_ms = 10, .other = OTHER_TCP, .local = true,
	.lo = 0.3, .other_lo = 0.35,
};

FIXTURE_VARIANT_ADD(routed, alone_8mbit_10ms) {
	.mbit = 8, .delay_ms = 10, .other = OTHER_NONE,
	.lo = 0.9, .other_lo = 0,
};

FIXTURE_SETUP(routed)
{
	int one = 1;

	ASSERT_EQ(0, stt_routed_up());
	self->srv_addr = stt_addr4(STT_A4, PORT, 0);
	self->srv2_addr = stt_addr4(STT_A4, PORT_B, 0);
	self->tcp_addr = (struct sockaddr_in){ .sin_family = AF_INET,
					       .sin_port = htons(TCP_PORT) };
	inet_pton(AF_INET, STT_A4, &self->tcp_addr.sin_addr);
	ASSERT_EQ(0, stt_enter("stt-a"));
	self->stt_srv = listener(&self->srv_addr, SOCK_STREAM);
	ASSERT_LE(0, self->stt_srv);
	/* Another port of stt-a: a stream to it runs on a session of its own. */
	self->stt_srv2 = listener(&self->srv2_addr, SOCK_STREAM);
	ASSERT_LE(0, self->stt_srv2);
	self->tcp_srv = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_LE(0, self->tcp_srv);
	setsockopt(self->tcp_srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ASSERT_EQ(0, bind(self->tcp_srv, (struct sockaddr *)&self->tcp_addr,
			  sizeof(self->tcp_addr)));
	ASSERT_EQ(0, listen(self->tcp_srv, 4));
	ASSERT_EQ(0, stt_enter("stt-b"));
}

FIXTURE_TEARDOWN(routed)
{
	close(self->stt_srv);
	close(self->stt_srv2);
	close(self->tcp_srv);
	stt_hosts_down();
}

TEST_F_TIMEOUT(routed, share, 300)
{
	struct flow stt = { 0 }, oth = { 0 };
	long long s0, o0, s1, o1, start, ms, link;
	int kbit = variant->mbit * 1000, warm_ms = 5000, run_ms = 15000;
	struct trace tr = { .md = _metadata, .every_ms = 2000, .tcp = -1 };
	bool two = variant->other != OTHER_NONE;
	const char *name = variant->other == OTHER_STT ? "STT2" : "TCP";
	pthread_t th[4], trt;
	double ss, os, jain;
	char spec[128];

	if (!access("/sys/kernel/debug/kmemleak", F_OK)) {
		if (variant->stock_only)
			SKIP(return, "too slow a link under the debug kernel");
		kbit /= 8;
		warm_ms = 8000;
		run_ms = 20000;
	}
	snprintf(spec, sizeof(spec), "tbf rate %dkbit burst 16kb latency 50ms",
		 kbit);
	ASSERT_EQ(0, stt_qdisc(variant->local ? "stt-b" : "stt-r",
			       variant->local ? "veth0" : "to-a", spec));
	snprintf(spec, sizeof(spec), "netem delay %dms", variant->delay_ms);
	ASSERT_EQ(0, stt_qdisc("stt-r", "to-b", spec));

	stt.tx = open_stream(self->stt_srv, &self->srv_addr, SOCK_STREAM,
			     &stt.rx);
	ASSERT_LE(0, stt.tx);
	bufs(stt.tx, 256 << 10);
	bufs(stt.rx, 256 << 10);
	if (variant->other == OTHER_STT) {
		oth.tx = open_stream(self->stt_srv2, &self->srv2_addr,
				     SOCK_STREAM, &oth.rx);
		ASSERT_LE(0, oth.tx);
	} else if (variant->other == OTHER_TCP) {
		oth.tx = socket(AF_INET, SOCK_STREAM, 0);
		ASSERT_LE(0, oth.tx);
		ASSERT_EQ(0, connect(oth.tx,
				     (struct sockaddr *)&self->tcp_addr,
				     sizeof(self->tcp_addr)));
		oth.rx = accept(self->tcp_srv, NULL, NULL);
		ASSERT_LE(0, oth.rx);
		tr.tcp = oth.tx;
	}
	/* The same send buffer for all; TCP's would otherwise grow to MiBs. */
	if (two) {
		bufs(oth.tx, 256 << 10);
		bufs(oth.rx, 256 << 10);
	}

	ASSERT_EQ(0, pthread_create(&th[0], NULL, flow_recv, &stt));
	ASSERT_EQ(0, pthread_create(&th[2], NULL, flow_send, &stt));
	if (two) {
		ASSERT_EQ(0, pthread_create(&th[1], NULL, flow_recv, &oth));
		ASSERT_EQ(0, pthread_create(&th[3], NULL, flow_send, &oth));
	}
	tr.stt = stt.tx;
	ASSERT_EQ(0, pthread_create(&trt, NULL, trace_run, &tr));

	usleep(warm_ms * 1000);
	start = ms_now();
	s0 = got(&stt);
	o0 = got(&oth);
	usleep(run_ms * 1000);
	s1 = got(&stt);
	o1 = got(&oth);
	ms = ms_now() - start;

	__atomic_store_n(&tr.stop, 1, __ATOMIC_RELAXED);
	pthread_join(trt, NULL);
	__atomic_store_n(&stt.stop, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&oth.stop, 1, __ATOMIC_RELAXED);
	pthread_join(th[2], NULL);
	pthread_join(th[0], NULL);
	if (two) {
		pthread_join(th[3], NULL);
		pthread_join(th[1], NULL);
	}
	EXPECT_EQ(0, stt.tx_err);
	EXPECT_EQ(0, stt.rx_err);
	EXPECT_EQ(0, oth.tx_err);
	EXPECT_EQ(0, oth.rx_err);

	/* What the link carries in that time, in bytes of IP packets. */
	link = (long long)kbit * 1000 / 8 * ms / 1000;
	ss = (double)(s1 - s0) / link;
	os = (double)(o1 - o0) / link;
	jain = two ? (ss + os) * (ss + os) / (2 * (ss * ss + os * os)) : 1;
	TH_LOG("%d kbit/s for %lld ms: STT %lld bytes, %s %lld bytes",
	       kbit, ms, s1 - s0, name, o1 - o0);
	ksft_print_msg("link %d kbit/s, %d ms back%s: STT %.2f, %s %.2f of it, Jain's index %.3f\n",
		       kbit, variant->delay_ms,
		       variant->local ? ", limited at the sender" : "",
		       ss, two ? name : "nothing", os, jain);
	EXPECT_LE(variant->lo, ss);
	if (two) {
		EXPECT_LE(variant->other_lo, os);
		/* Together they keep the link busy (headers take some 4 %). */
		EXPECT_LE(0.8, ss + os);
	}
	TH_LOG("STT packets held back by the pacer: %lld, by the local queue limit: %lld",
	       stat_in("stt-b", "paced"), stat_in("stt-b", "txq_throttled"));
	if (ss < variant->lo || os < variant->other_lo) {
		log_info(_metadata, "stt", stt.tx);
		log_drops(_metadata);
	}
	close(stt.tx);
	close(stt.rx);
	if (two) {
		close(oth.tx);
		close(oth.rx);
	}
}

TEST_HARNESS_MAIN
