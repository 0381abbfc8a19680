// SPDX-License-Identifier: GPL-2.0
/*
 * Reliability between two hosts whose link (tc netem on both ends of the
 * veth) loses, reorders, duplicates, corrupts or delays packets: several
 * streams move their data concurrently and every byte arrives, in order,
 * checked against the pattern and by hash, and the counters show that the
 * recovery happened (or, for corruption, the AEAD refused what netem
 * altered).  A stream whose reader stalls keeps its session through
 * keepalives.  A stream of small messages keeps flowing beside a bulk stream
 * at 5 % loss.  And a peer that stops acknowledging fails the session with
 * ETIMEDOUT after the user timeout.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pair.h"

static int sock_error(int fd)
{
	int err = -1;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return -errno;
	return err;
}

/*
 * The peer goes silent (everything it sends is lost): data sent after that
 * is never acknowledged, and after the user timeout the stream fails with
 * ETIMEDOUT, which poll, SO_ERROR and send report.  The peer learns it from
 * SESSION_CLOSE.
 */
TEST_F_TIMEOUT(pair, user_timeout_gives_etimedout, 120)
{
	struct pollfd p;
	long long t0, took;
	char buf[8];
	int c, a;

	ASSERT_EQ(0, sysctl_in("stt-b", "user_timeout_ms", 1500));
	c = open_stream(self->srv, &self->srv_addr, SOCK_STREAM, &a);
	ASSERT_LE(0, c);
	ASSERT_EQ(5, send(c, "hello", 5, 0));
	ASSERT_EQ(0, read_full(a, buf, 5));

	ASSERT_EQ(0, stt_netem("stt-a", "loss 100%"));
	t0 = ms_now();
	ASSERT_EQ(5, send(c, "again", 5, MSG_NOSIGNAL));
	p = (struct pollfd){ .fd = c, .events = POLLIN };
	ASSERT_EQ(1, poll(&p, 1, 20000));
	took = ms_now() - t0;
	TH_LOG("ETIMEDOUT after %lld ms (user timeout 1500 ms)", took);
	EXPECT_TRUE(p.revents & POLLERR);
	EXPECT_LE(1500, took);
	EXPECT_GT(10000, took);
	EXPECT_EQ(ETIMEDOUT, sock_error(c));
	EXPECT_EQ(-1, send(c, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, stat_in("stt-b", "sessions_user_timeout"));
	EXPECT_LE(1, stat_in("stt-b", "rto_fired"));

	/* The peer got "again" and then the reason. */
	ASSERT_EQ(0, read_full(a, buf, 5));
	EXPECT_EQ(0, memcmp(buf, "again", 5));
	p = (struct pollfd){ .fd = a, .events = POLLIN };
	ASSERT_EQ(1, poll(&p, 1, 5000));
	EXPECT_EQ(ETIMEDOUT, sock_error(a));
	close(c);
	close(a);
}

/*
 * A stall is not silence: the reader stops reading for over three idle
 * timeouts while the writer has more to send, so both windows fill and no
 * data moves, yet keepalives keep the session up on both hosts; once the
 * reader reads again, every byte arrives.
 */
TEST_F_TIMEOUT(pair, stalled_stream_keeps_the_session, 120)
{
	static const char * const host[] = { "stt-a", "stt-b" };
	struct xfer tx, rx;
	struct stt_info in;
	socklen_t len = sizeof(in);
	pthread_t tt, rt;
	int c, a, h;

	for (h = 0; h < 2; h++) {
		ASSERT_EQ(0, sysctl_in(host[h], "idle_timeout_ms", 1500));
		ASSERT_EQ(0, sysctl_in(host[h], "keepalive_ms", 300));
	}
	c = open_stream(self->srv, &self->srv_addr, SOCK_STREAM, &a);
	ASSERT_LE(0, c);
	tx = (struct xfer){ .fd = c, .len = 4 << 20, .seed = 9,
			    .chunk = 65536, .shut = 1 };
	rx = (struct xfer){ .fd = a, .seed = 9, .chunk = 65536 };
	ASSERT_EQ(0, pthread_create(&tt, NULL, sender, &tx));

	/* Nobody reads for 5 s: the idle timeout three times over. */
	usleep(5000 * 1000);
	ASSERT_EQ(0, getsockopt(c, SOL_STT, STT_INFO, &in, &len));
	TH_LOG("stalled: %llu of %llu bytes sent, keepalives a %lld, b %lld",
	       (unsigned long long)in.stti_bytes_sent, tx.len,
	       stat_in("stt-a", "keepalives"), stat_in("stt-b", "keepalives"));
	EXPECT_GT(tx.len, in.stti_bytes_sent);
	EXPECT_LT(0, stat_in("stt-b", "stream_window_blocked"));
	/* One side's KEEPALIVE every 300 ms at least (the other answers). */
	EXPECT_LE(8, stat_in("stt-a", "keepalives") +
		     stat_in("stt-b", "keepalives"));
	EXPECT_EQ(0, stat_in("stt-a", "sessions_peer_timeout"));
	EXPECT_EQ(0, stat_in("stt-b", "sessions_peer_timeout"));

	ASSERT_EQ(0, pthread_create(&rt, NULL, receiver, &rx));
	pthread_join(tt, NULL);
	pthread_join(rt, NULL);
	EXPECT_EQ(0, tx.err);
	EXPECT_EQ(0, rx.err);
	EXPECT_EQ(tx.len, rx.len);
	EXPECT_EQ(0, rx.bad);
	EXPECT_EQ(0, memcmp(tx.sha, rx.sha, 32));
	EXPECT_EQ(0, stat_in("stt-b", "sessions_closed"));
	close(c);
	close(a);
}

/* The echo side of the small stream: every message comes straight back. */
static void *echo(void *arg)
{
	int fd = *(int *)arg;
	char m[64];

	while (read_full(fd, m, sizeof(m)) == 0)
		if (write_full(fd, m, sizeof(m)))
			break;
	return NULL;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

#define MAX_PINGS 4096

/*
 * Round trips of 64-byte messages on @fd for @ms, or until *@stop; the
 * times in microseconds go to @us, sorted.  Returns how many, or -1.
 */
static int pings(int fd, long long ms, const int *stop, long long *us)
{
	long long t0 = ms_now(), t;
	struct timespec ts;
	char m[64] = "ping";
	int n = 0;

	while (n < MAX_PINGS && ms_now() - t0 < ms &&
	       !__atomic_load_n(stop, __ATOMIC_RELAXED)) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		t = ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
		if (write_full(fd, m, sizeof(m)) || read_full(fd, m, sizeof(m)))
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		us[n++] = ts.tv_sec * 1000000LL + ts.tv_nsec / 1000 - t;
	}
	qsort(us, n, sizeof(*us), cmp_ll);
	return n;
}

struct bulk_run {
	struct xfer tx, rx;
	int stop;
};

static void *bulk_sender(void *arg)
{
	struct bulk_run *b = arg;

	sender(&b->tx);
	__atomic_store_n(&b->stop, 1, __ATOMIC_RELAXED);
	return NULL;
}

/*
 * With 5 % loss both ways, a stream of small messages (64-byte requests
 * echoed back, STT_NODELAY) keeps flowing while a bulk stream on the same
 * session moves 16 MiB and recovers its losses: its round trips stay within
 * a small multiple of what they are on the same link without the bulk
 * stream, and none waits behind the bulk data.  The figures are logged.
 */
TEST_F_TIMEOUT(pair, small_stream_beside_bulk_at_5pct_loss, 300)
{
	static long long alone[MAX_PINGS], busy[MAX_PINGS];
	int c, a, cb, ab, one = 1, stop = 0, na, nb;
	long long bulk_ms, t0;
	struct bulk_run b;
	pthread_t te, tb, rb;
	u64 len = 16 << 20;

	if (!access("/sys/kernel/debug/kmemleak", F_OK))
		len = 2 << 20;	/* the debug kernel, some 30 times slower */
	c = open_stream(self->srv, &self->srv_addr, SOCK_STREAM, &a);
	ASSERT_LE(0, c);
	cb = open_stream(self->srv, &self->srv_addr, SOCK_STREAM, &ab);
	ASSERT_LE(0, cb);
	ASSERT_EQ(0, setsockopt(c, SOL_STT, STT_NODELAY, &one, sizeof(one)));
	ASSERT_EQ(0, setsockopt(a, SOL_STT, STT_NODELAY, &one, sizeof(one)));
	stall_guard(c);
	stall_guard(a);
	stall_guard(cb);
	stall_guard(ab);
	ASSERT_EQ(0, pthread_create(&te, NULL, echo, &a));
	ASSERT_EQ(0, stt_netem("stt-a", "loss 5%"));
	ASSERT_EQ(0, stt_netem("stt-b", "loss 5%"));

	/* The same link without the bulk stream, for comparison. */
	na = pings(c, 3000, &stop, alone);
	ASSERT_LE(20, na);

	b = (struct bulk_run){
		.tx = { .fd = cb, .len = len, .seed = 5, .chunk = 65536,
			.shut = 1 },
		.rx = { .fd = ab, .seed = 5, .chunk = 65536 },
	};
	t0 = ms_now();
	ASSERT_EQ(0, pthread_create(&rb, NULL, receiver, &b.rx));
	ASSERT_EQ(0, pthread_create(&tb, NULL, bulk_sender, &b));
	nb = pings(c, 120000, &b.stop, busy);
	pthread_join(tb, NULL);
	pthread_join(rb, NULL);
	bulk_ms = ms_now() - t0;
	ASSERT_LE(0, nb);

	EXPECT_EQ(0, b.tx.err);
	EXPECT_EQ(0, b.rx.err);
	EXPECT_EQ(len, b.rx.len);
	EXPECT_EQ(0, b.rx.bad);
	EXPECT_EQ(0, memcmp(b.tx.sha, b.rx.sha, 32));
	TH_LOG("alone: %d round trips, median %lld us, 99th %lld us, max %lld us",
	       na, alone[na / 2], alone[na * 99 / 100], alone[na - 1]);
	TH_LOG("beside %llu MiB of bulk data (%lld ms): %d round trips",
	       len >> 20, bulk_ms, nb);
	TH_LOG("beside: median %lld us, 99th %lld us, max %lld us",
	       busy[nb / 2], busy[nb * 99 / 100], busy[nb - 1]);
	ksft_print_msg("small stream, 5%% loss: median %lld us alone, %lld with bulk, max %lld\n",
		       alone[na / 2], busy[nb / 2], busy[nb - 1]);
	EXPECT_LE(10, nb);
	/* Held up behind the bulk data, it would wait for most of it. */
	EXPECT_GT(10 * alone[na / 2] + 20000, busy[nb / 2]);
	EXPECT_GT(bulk_ms * 1000 / 4, busy[nb - 1]);
	EXPECT_LT(0, stat_in("stt-b", "retransmits"));
	shutdown(c, SHUT_WR);
	pthread_join(te, NULL);
	close(c);
	close(a);
	close(cb);
	close(ab);
}

FIXTURE(lossy) {
	int srv;
	struct sockaddr_stt srv_addr;
};

/*
 * @netem: what each direction of the link does; @streams: how many run at
 * once; @mbytes: MiB they move in all; @counter and @host: a counter that
 * must have moved (on stt-a, the receiver, or stt-b, the sender); @no_csum:
 * the hosts send without UDP checksums.
 */
FIXTURE_VARIANT(lossy) {
	const char *netem;
	int streams;
	int mbytes;
	const char *counter;
	const char *host;
	int no_csum;
	int resends;	/* the link loses packets: some must be sent again */
};

FIXTURE_VARIANT_ADD(lossy, loss_1) {
	.netem = "loss 1%", .streams = 4, .mbytes = 50,
	.counter = "retransmits", .host = "stt-b", .resends = 1,
};

FIXTURE_VARIANT_ADD(lossy, loss_5) {
	.netem = "loss 5%", .streams = 4, .mbytes = 50,
	.counter = "retransmits", .host = "stt-b", .resends = 1,
};

FIXTURE_VARIANT_ADD(lossy, reorder) {
	.netem = "delay 1ms reorder 25% 50%", .streams = 4, .mbytes = 50,
	.counter = "data_out_of_order", .host = "stt-a",
};

FIXTURE_VARIANT_ADD(lossy, duplicate) {
	.netem = "duplicate 5%", .streams = 4, .mbytes = 50,
	.counter = "drop_replay", .host = "stt-a",
};

FIXTURE_VARIANT_ADD(lossy, loss_20) {
	.netem = "loss 20%", .streams = 4, .mbytes = 50,
	.counter = "retransmits", .host = "stt-b", .resends = 1,
};

FIXTURE_VARIANT_ADD(lossy, jitter) {
	.netem = "delay 10ms 5ms", .streams = 4, .mbytes = 50,
	.counter = "data_out_of_order", .host = "stt-a",
};

/*
 * netem alters a byte of one packet in 50.  With the UDP checksum on, the
 * UDP layer would drop those packets before STT saw them; here the hosts
 * send without one (net.stt.udp_checksum = 0), so the altered packets reach
 * the AEAD, which must refuse them (drop_auth), and the data still arrives
 * whole.
 */
FIXTURE_VARIANT_ADD(lossy, corrupt) {
	.netem = "corrupt 2%", .streams = 4, .mbytes = 50,
	.counter = "drop_auth", .host = "stt-a", .no_csum = 1, .resends = 1,
};

FIXTURE_SETUP(lossy)
{
	ASSERT_EQ(0, stt_hosts_up());
	self->srv_addr = stt_addr4(STT_A4, PORT, 0);
	ASSERT_EQ(0, stt_enter("stt-a"));
	self->srv = listener(&self->srv_addr, SOCK_STREAM);
	ASSERT_LE(0, self->srv);
	ASSERT_EQ(0, stt_enter("stt-b"));
}

FIXTURE_TEARDOWN(lossy)
{
	close(self->srv);
	stt_hosts_down();
}

#define MAX_STREAMS 8

/* Every stream's bytes arrive complete and in order despite the link. */
TEST_F_TIMEOUT(lossy, streams_arrive_whole, 1800)
{
	struct xfer tx[MAX_STREAMS], rx[MAX_STREAMS];
	pthread_t tt[MAX_STREAMS], rt[MAX_STREAMS];
	int n = variant->streams, c[MAX_STREAMS], a[MAX_STREAMS], i;
	long long t0, took;
	/*
	 * The debug kernel, some 30 times slower, is there for its checkers,
	 * not volume: 8 MiB (some 7000 packets) keeps make check within its
	 * time budget.
	 */
	int mbytes = debug_kernel() ? 8 : variant->mbytes;
	u64 each, retrans;

	each = ((u64)mbytes << 20) / n;

	if (variant->no_csum) {
		ASSERT_EQ(0, sysctl_in("stt-a", "udp_checksum", 0));
		ASSERT_EQ(0, sysctl_in("stt-b", "udp_checksum", 0));
	}

	/* The handshake and the opens come first, on a clean link. */
	for (i = 0; i < n; i++) {
		c[i] = open_stream(self->srv, &self->srv_addr, SOCK_STREAM,
				   &a[i]);
		ASSERT_LE(0, c[i]);
		stall_guard(c[i]);
		stall_guard(a[i]);
	}
	ASSERT_EQ(0, stt_netem("stt-a", variant->netem));
	ASSERT_EQ(0, stt_netem("stt-b", variant->netem));

	t0 = ms_now();
	for (i = 0; i < n; i++) {
		tx[i] = (struct xfer){ .fd = c[i], .len = each, .seed = i + 1,
				       .chunk = 65536, .shut = 1 };
		rx[i] = (struct xfer){ .fd = a[i], .seed = i + 1,
				       .chunk = 65536 };
		ASSERT_EQ(0, pthread_create(&tt[i], NULL, sender, &tx[i]));
		ASSERT_EQ(0, pthread_create(&rt[i], NULL, receiver, &rx[i]));
	}
	for (i = 0; i < n; i++) {
		pthread_join(tt[i], NULL);
		EXPECT_EQ(0, tx[i].err);
	}
	for (i = 0; i < n; i++) {
		pthread_join(rt[i], NULL);
		EXPECT_EQ(0, rx[i].err);
		EXPECT_EQ(tx[i].len, rx[i].len);
		EXPECT_EQ(0, rx[i].bad);
		EXPECT_EQ(0, memcmp(tx[i].sha, rx[i].sha, 32));
	}
	took = ms_now() - t0;
	TH_LOG("%s: %d streams, %d MiB in %lld ms (%.1f MB/s)", variant->netem,
	       n, mbytes, took,
	       took ? ((double)mbytes * 1048576 / 1e6) /
		      (took / 1000.0) : 0.0);
	EXPECT_LT(0, stat_in(variant->host, variant->counter));

	/* What STT_INFO says of the session and of the streams resent. */
	retrans = 0;
	for (i = 0; i < n; i++) {
		struct stt_info in;
		socklen_t len = sizeof(in);

		ASSERT_EQ(0, getsockopt(c[i], SOL_STT, STT_INFO, &in, &len));
		ASSERT_EQ(STT_INFO_VERSION, in.stti_version);
		EXPECT_EQ(each, in.stti_bytes_sent);
		EXPECT_LT(0, in.stti_srtt_us);
		EXPECT_LE(2 * in.stti_mtu, in.stti_cwnd);
		EXPECT_LE(20000, in.stti_rto_us);	/* rto_min_ms */
		EXPECT_GE(10000000, in.stti_rto_us);	/* rto_max_ms */
		EXPECT_EQ(!in.stti_bytes_retrans, !in.stti_frames_retrans);
		retrans += in.stti_bytes_retrans;
	}
	if (variant->resends) {
		EXPECT_LT(0, retrans);
		EXPECT_LT(0, stat_in("stt-b", "retransmits"));
	}
	TH_LOG("%llu bytes sent again", retrans);
	log_drops(_metadata);
	for (i = 0; i < n; i++) {
		close(c[i]);
		close(a[i]);
	}
}

TEST_HARNESS_MAIN
