// SPDX-License-Identifier: GPL-2.0
/*
 * A path that changes under a session.  A session set up on a clean veth
 * (a round trip well under a millisecond) is given 100, 300 or 800 ms of
 * delay each way while a stream is busy: its round-trip estimate must follow
 * and the transfer must go on at the pace a session set up on the delayed
 * path keeps, within three times its time, instead of timing out over and
 * over on an estimate that no longer holds.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pair.h"

#define PORT_BASE	7005

FIXTURE(path) {
	int srv, srv2;
	struct sockaddr_stt addr, addr2;
};

/* @ms: the delay added each way. */
FIXTURE_VARIANT(path) {
	int ms;
};

FIXTURE_VARIANT_ADD(path, delay_100ms) { .ms = 100 };
FIXTURE_VARIANT_ADD(path, delay_300ms) { .ms = 300 };
FIXTURE_VARIANT_ADD(path, delay_800ms) { .ms = 800 };

FIXTURE_SETUP(path)
{
	ASSERT_EQ(0, stt_hosts_up());
	self->addr = stt_addr4(STT_A4, PORT, 0);
	self->addr2 = stt_addr4(STT_A4, PORT_BASE, 0);
	ASSERT_EQ(0, stt_enter("stt-a"));
	self->srv = listener(&self->addr, SOCK_STREAM);
	ASSERT_LE(0, self->srv);
	/* Another address of the server: a session of its own. */
	self->srv2 = listener(&self->addr2, SOCK_STREAM);
	ASSERT_LE(0, self->srv2);
	ASSERT_EQ(0, stt_enter("stt-b"));
}

FIXTURE_TEARDOWN(path)
{
	close(self->srv);
	close(self->srv2);
	stt_hosts_down();
}

static int info(int fd, struct stt_info *in)
{
	socklen_t len = sizeof(*in);

	return getsockopt(fd, SOL_STT, STT_INFO, in, &len) ? -errno : 0;
}

/*
 * The receiving end: it reads and checks the stream, pausing after the
 * first @warm bytes until @go, so that the sender's buffer and the window
 * fill and the stream is busy when the path changes.
 */
struct paced_rx {
	int fd;
	u64 warm, len;
	unsigned char sha[32];
	u64 bad;
	int err;
	int paused, go;		/* atomic */
};

static void *paced_recv(void *arg)
{
	static __thread unsigned char buf[65536];
	struct paced_rx *x = arg;
	struct sha256 c;
	u64 off = 0;
	ssize_t n, i;
	size_t want;

	sha256_init(&c);
	for (;;) {
		if (x->warm && off >= x->warm &&
		    !__atomic_load_n(&x->go, __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&x->paused, 1, __ATOMIC_RELEASE);
			usleep(1000);
			continue;
		}
		want = sizeof(buf);
		if (off < x->warm && x->warm - off < want)
			want = x->warm - off;
		n = recv(x->fd, buf, want, 0);
		if (n <= 0) {
			x->err = n ? -errno : 0;
			break;
		}
		for (i = 0; i < n; i++)
			x->bad += buf[i] != pattern(off + i, 3);
		sha256_update(&c, buf, n);
		off += n;
	}
	x->len = off;
	sha256_final(&c, x->sha);
	return NULL;
}

/*
 * Move @warm + @len bytes over a new stream to @lfd from host b; when
 * @jump_ms, the delay is added once the first @warm bytes arrived.
 * Returns the milliseconds from the delay (or the start) to the end of
 * the stream at the receiver, or -1; @in gets the sender's STT_INFO.
 */
static long long transfer(struct __test_metadata *_metadata, int lfd,
			  const struct sockaddr_stt *to, u64 warm, u64 len,
			  int jump_ms, struct stt_info *in)
{
	int sndbuf = len / 4, rcvbuf = len / 4;
	struct paced_rx rx;
	struct xfer tx;
	pthread_t tt, rt;
	long long t0, deadline;
	char spec[32];
	int c, a;

	c = open_stream(lfd, to, SOCK_STREAM, &a);
	if (c < 0)
		return -1;
	stall_guard(c);
	stall_guard(a);
	/*
	 * Buffers of a quarter of the transfer, more than the defaults, so
	 * that a long round trip is not all waiting; and yet most of the
	 * data moves after the path changed.
	 */
	if (setsockopt(c, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) ||
	    setsockopt(a, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		return -1;
	tx = (struct xfer){ .fd = c, .len = warm + len, .seed = 3,
			    .chunk = 65536, .shut = 1 };
	rx = (struct paced_rx){ .fd = a, .warm = jump_ms ? warm : 0 };
	t0 = ms_now();
	if (pthread_create(&tt, NULL, sender, &tx) ||
	    pthread_create(&rt, NULL, paced_recv, &rx))
		return -1;
	if (jump_ms) {
		deadline = ms_now() + 60000;
		while (!__atomic_load_n(&rx.paused, __ATOMIC_ACQUIRE) &&
		       ms_now() < deadline)
			usleep(1000);
		EXPECT_EQ(0, info(c, in));
		TH_LOG("before: srtt %u us, rto %u us, cwnd %u, %llu bytes sent",
		       in->stti_srtt_us, in->stti_rto_us, in->stti_cwnd,
		       (unsigned long long)in->stti_bytes_sent);
		snprintf(spec, sizeof(spec), "delay %dms", jump_ms);
		EXPECT_EQ(0, stt_netem("stt-a", spec));
		EXPECT_EQ(0, stt_netem("stt-b", spec));
		t0 = ms_now();
		__atomic_store_n(&rx.go, 1, __ATOMIC_RELEASE);
	}
	pthread_join(tt, NULL);
	pthread_join(rt, NULL);
	t0 = ms_now() - t0;
	EXPECT_EQ(0, tx.err);
	EXPECT_EQ(0, rx.err);
	EXPECT_EQ(tx.len, rx.len);
	EXPECT_EQ(0, rx.bad);
	EXPECT_EQ(0, memcmp(tx.sha, rx.sha, 32));
	EXPECT_EQ(0, info(c, in));
	close(c);
	close(a);
	return t0;
}

/*
 * The session's round trip grows a thousandfold mid-transfer: STT_INFO's
 * srtt follows it (at least 0.8 of the new round trip), and the transfer
 * after the jump takes at most three times as long as the same transfer on
 * a session that started on the delayed path.
 */
TEST_F_TIMEOUT(path, rtt_jump_is_learned, 600)
{
	u64 len = debug_kernel() ? 1 << 20 : 4 << 20;
	u64 warm = debug_kernel() ? 256 << 10 : 1 << 20;
	u64 rtt_us = 2000ULL * variant->ms;
	struct stt_info in;
	long long jump, base;

	jump = transfer(_metadata, self->srv, &self->addr, warm, len,
			variant->ms, &in);
	ASSERT_LE(0, jump);
	TH_LOG("jump to %d ms each way: %llu KiB in %lld ms",
	       variant->ms, (unsigned long long)len >> 10, jump);
	TH_LOG("then srtt %u us, rttvar %u us, rto %u us, cwnd %u",
	       in.stti_srtt_us, in.stti_rttvar_us, in.stti_rto_us,
	       in.stti_cwnd);
	/*
	 * No upper bound: a busy guest queues packets in its backlogs for
	 * hundreds of milliseconds, which the estimate rightly includes.
	 */
	EXPECT_LE(rtt_us * 8 / 10, in.stti_srtt_us);
	TH_LOG("lost %lld, of them spurious %lld, rto_fired %lld, retransmits %lld",
	       stat_in("stt-b", "packets_lost"),
	       stat_in("stt-b", "packets_lost_spurious"),
	       stat_in("stt-b", "rto_fired"), stat_in("stt-b", "retransmits"));

	/* The delay is on both hosts already: the second session starts on it. */
	base = transfer(_metadata, self->srv2, &self->addr2, 0, len, 0, &in);
	ASSERT_LE(0, base);
	TH_LOG("set up on the delayed path: %llu KiB in %lld ms; srtt %u us",
	       (unsigned long long)len >> 10, base, in.stti_srtt_us);
	TH_LOG("time after the jump / time set up on it: %.2f (bar 3)",
	       base ? (double)jump / base : 0.0);
	TH_LOG("lost %lld, of them spurious %lld, rto_fired %lld, retransmits %lld",
	       stat_in("stt-b", "packets_lost"),
	       stat_in("stt-b", "packets_lost_spurious"),
	       stat_in("stt-b", "rto_fired"), stat_in("stt-b", "retransmits"));
	EXPECT_GE(3 * base, jump);
}

TEST_HARNESS_MAIN
