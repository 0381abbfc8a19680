// SPDX-License-Identifier: GPL-2.0
/*
 * Sharing a bottleneck with TCP: an STT stream and a TCP connection run from
 * stt-b to stt-a at once, through a router (stt-r) whose link toward stt-a
 * is rate-limited by tbf, with 10 ms of delay added on the way back.  Each
 * sends as fast as its congestion control lets it.  Over a measured interval,
 * after both have left slow start, each must have delivered at least a third
 * of what the link carries, and together most of it.
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
 * lost / of them spurious / timeouts), one line each time into the log.
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
	long long t0 = ms_now(), lost0 = 0, spur0 = 0, rto0 = 0;

	while (!__atomic_load_n(&t->stop, __ATOMIC_RELAXED)) {
		struct stt_info si;
		struct tcp_info ti;
		socklen_t sl = sizeof(si), tl = sizeof(ti);
		long long lost = stat_in("stt-b", "packets_lost");
		long long spur = stat_in("stt-b", "packets_lost_spurious");
		long long rto = stat_in("stt-b", "rto_fired");

		if (!getsockopt(t->stt, SOL_STT, STT_INFO, &si, &sl) &&
		    !getsockopt(t->tcp, IPPROTO_TCP, TCP_INFO, &ti, &tl))
			TH_LOG("%4.1f s STT %6u B %3u ms lost %lld/%lld/%lld | TCP %6u B %3u ms",
			       (ms_now() - t0) / 1000.0, si.stti_cwnd,
			       si.stti_srtt_us / 1000,
			       lost - lost0, spur - spur0, rto - rto0,
			       ti.tcpi_snd_cwnd * ti.tcpi_snd_mss,
			       ti.tcpi_rtt / 1000);
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

FIXTURE(routed) {
	int stt_srv, tcp_srv;
	struct sockaddr_stt srv_addr;
	struct sockaddr_in tcp_addr;
};

FIXTURE_SETUP(routed)
{
	int one = 1;

	ASSERT_EQ(0, stt_routed_up());
	self->srv_addr = stt_addr4(STT_A4, PORT, 0);
	self->tcp_addr = (struct sockaddr_in){ .sin_family = AF_INET,
					       .sin_port = htons(TCP_PORT) };
	inet_pton(AF_INET, STT_A4, &self->tcp_addr.sin_addr);
	ASSERT_EQ(0, stt_enter("stt-a"));
	self->stt_srv = listener(&self->srv_addr, SOCK_STREAM);
	ASSERT_LE(0, self->stt_srv);
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
	close(self->tcp_srv);
	stt_hosts_down();
}

TEST_F_TIMEOUT(routed, stt_and_tcp_share_a_link, 300)
{
	struct flow stt = { 0 }, tcp = { 0 };
	long long s0, t0, s1, t1, start, ms, link;
	int mbit = 8, warm_ms = 5000, run_ms = 20000;
	struct trace tr = { .md = _metadata, .every_ms = 2000 };
	pthread_t th[4], trt;
	char spec[128];
	double ss, ts;

	/* The debug kernel moves some 30 times less: a slower link for it. */
	if (!access("/sys/kernel/debug/kmemleak", F_OK)) {
		mbit = 2;
		warm_ms = 10000;
		run_ms = 30000;
	}
	snprintf(spec, sizeof(spec), "tbf rate %dmbit burst 16kb latency 50ms",
		 mbit);
	ASSERT_EQ(0, stt_qdisc("stt-r", "to-a", spec));
	ASSERT_EQ(0, stt_qdisc("stt-r", "to-b", "netem delay 10ms"));

	stt.tx = open_stream(self->stt_srv, &self->srv_addr, SOCK_STREAM,
			     &stt.rx);
	ASSERT_LE(0, stt.tx);
	tcp.tx = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_LE(0, tcp.tx);
	ASSERT_EQ(0, connect(tcp.tx, (struct sockaddr *)&self->tcp_addr,
			     sizeof(self->tcp_addr)));
	tcp.rx = accept(self->tcp_srv, NULL, NULL);
	ASSERT_LE(0, tcp.rx);
	/* The same send buffer for both; TCP's would otherwise grow to MiBs. */
	bufs(stt.tx, 256 << 10);
	bufs(tcp.tx, 256 << 10);
	bufs(stt.rx, 256 << 10);
	bufs(tcp.rx, 256 << 10);

	ASSERT_EQ(0, pthread_create(&th[0], NULL, flow_recv, &stt));
	ASSERT_EQ(0, pthread_create(&th[1], NULL, flow_recv, &tcp));
	ASSERT_EQ(0, pthread_create(&th[2], NULL, flow_send, &stt));
	ASSERT_EQ(0, pthread_create(&th[3], NULL, flow_send, &tcp));
	tr.stt = stt.tx;
	tr.tcp = tcp.tx;
	ASSERT_EQ(0, pthread_create(&trt, NULL, trace_run, &tr));

	usleep(warm_ms * 1000);
	start = ms_now();
	s0 = got(&stt);
	t0 = got(&tcp);
	usleep(run_ms * 1000);
	s1 = got(&stt);
	t1 = got(&tcp);
	ms = ms_now() - start;

	__atomic_store_n(&tr.stop, 1, __ATOMIC_RELAXED);
	pthread_join(trt, NULL);
	__atomic_store_n(&stt.stop, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&tcp.stop, 1, __ATOMIC_RELAXED);
	pthread_join(th[2], NULL);
	pthread_join(th[3], NULL);
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	EXPECT_EQ(0, stt.tx_err);
	EXPECT_EQ(0, tcp.tx_err);
	EXPECT_EQ(0, stt.rx_err);
	EXPECT_EQ(0, tcp.rx_err);

	/* What the link carries in that time, in bytes of IP packets. */
	link = (long long)mbit * 1000000 / 8 * ms / 1000;
	ss = (double)(s1 - s0) / link;
	ts = (double)(t1 - t0) / link;
	TH_LOG("%d Mbit/s for %lld ms: STT %lld bytes, TCP %lld bytes",
	       mbit, ms, s1 - s0, t1 - t0);
	ksft_print_msg("link %d Mbit/s: STT %.2f, TCP %.2f of it (STT/TCP %.2f)\n",
		       mbit, ss, ts, t1 > t0 ? (double)(s1 - s0) / (t1 - t0) : 0);
	EXPECT_LE(1.0 / 3, ss);
	EXPECT_LE(1.0 / 3, ts);
	/* Together they keep the link busy (headers take some 4 %). */
	EXPECT_LE(0.8, ss + ts);
	TH_LOG("STT packets held back by the pacer: %lld",
	       stat_in("stt-b", "paced"));
	if (ss < 1.0 / 3 || ts < 1.0 / 3) {
		log_info(_metadata, "stt", stt.tx);
		log_drops(_metadata);
	}
	close(stt.tx);
	close(stt.rx);
	close(tcp.tx);
	close(tcp.rx);
}

TEST_HARNESS_MAIN
