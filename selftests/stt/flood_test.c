// SPDX-License-Identifier: GPL-2.0
/*
 * HELLO floods: an unauthenticated sender can neither exhaust the kernel nor
 * block a session.  A flooder on host b sends well-formed HELLOs, each from a
 * client no server has seen, round robin from 256 source addresses, to a
 * listener on host a, and never finishes a handshake.  The kernel memory of
 * the guest must grow by less than 16 MB over the flood, host a must have
 * answered with stateless cookies, and a genuine connect() from host b in the
 * middle of the flood must get through within 5 s and carry data.  And a
 * namespace deleted while it is being flooded must be dismantled, leaving
 * the module working; the guest fails the run on any KASAN, lockdep or
 * kmemleak report on the way.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/random.h>

#include "kselftest_harness.h"
#include "pair.h"

#define FLOOD_SOURCES	256
#define HELLO_DGRAM	256	/* the least a server answers (STT_HELLO_MIN_DGRAM) */
#define FLOOD_MAX_MS	120000
#define CONNECT_MAX_MS	5000
#define GROWTH_MAX_KB	(16 << 10)
#define SAMPLE_MS	50

/*
 * Source @i of the flood, 198.18.1.1 and up: 198.18.0.0/15 is for
 * benchmarking and never leaves the test namespaces.
 */
static void flood_source(int i, char *buf, size_t len)
{
	int host = 257 + i;

	snprintf(buf, len, "198.18.%d.%d", host >> 8, host & 255);
}

/*
 * Hosts a and b, with @n flooding sources on b's veth and the route back to
 * them on a: one "ip -batch" per host, as every exec is slow under the debug
 * kernel.
 */
static int flood_hosts_up(int n)
{
	char addr[32], *cmds = malloc(64 * (n + 1));
	size_t off = 0;
	int i, rc = -1;

	if (!cmds || stt_hosts_up())
		goto out;
	cmds[0] = '\0';
	for (i = 0; i < n; i++) {
		flood_source(i, addr, sizeof(addr));
		off += sprintf(cmds + off, "addr add %s/16 dev veth0\n", addr);
	}
	if (!stt_ip_batch("stt-b", cmds) &&
	    !stt_ip_batch("stt-a", "route add 198.18.0.0/16 dev veth0\n"))
		rc = 0;
out:
	free(cmds);
	return rc;
}

/* xorshift64*: random enough that no two HELLOs of a flood are alike. */
static u64 flood_random(u64 *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dULL;
}

/*
 * A HELLO (Documentation/wire.rst) from a new client: a new session id,
 * public key and nonce each time, so that the server cannot take it for a
 * repeat and must answer it with a key exchange, or with a cookie.
 */
static void hello_build(unsigned char *b, u64 *rnd)
{
	unsigned int sid;
	u64 r;
	int i;

	/* Zero reserved fields, destination session 0, PADDING to the end. */
	memset(b, 0, HELLO_DGRAM);
	b[0] = 1;		/* version */
	b[1] = 1;		/* handshake packet */
	b[16] = 0x01;		/* HELLO */
	b[17] = 0x01;		/* offers ChaCha20-Poly1305 */
	b[18] = 0x01;		/* and prefers it */
	do
		sid = flood_random(rnd) >> 32;
	while (!sid);
	for (i = 0; i < 4; i++)
		b[21 + i] = sid >> (24 - 8 * i);
	/* The public key and the nonce, 64 bytes from offset 25. */
	for (i = 25; i < 25 + 64; i += 8) {
		r = flood_random(rnd);
		memcpy(b + i, &r, sizeof(r));
	}
}

struct flood {
	int fds[FLOOD_SOURCES];	/* one UDP socket per source address */
	int nfds;
	struct sockaddr_in to;
	long long at_least;	/* HELLOs to send, whatever @done says */
	int done;		/* the test has seen what it needed */
	long long sent;		/* read by the test while the flood runs */
	long long failed;
	long long ms;
};

/* Open @f's sockets in the calling thread's host, bound to @addrs. */
static int flood_open(struct flood *f, char addrs[][32], int n)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int i, fd, zero = 0;

	for (i = 0; i < n; i++) {
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd < 0)
			return -1;
		f->fds[f->nfds++] = fd;
		/*
		 * The replies must not pile up here: all hosts share one
		 * kernel, whose memory the test measures.
		 */
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &zero, sizeof(zero));
		inet_pton(AF_INET, addrs[i], &sin.sin_addr);
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
			return -1;
	}
	f->to.sin_family = AF_INET;
	f->to.sin_port = htons(PORT);
	inet_pton(AF_INET, STT_A4, &f->to.sin_addr);
	return 0;
}

static void flood_close(struct flood *f)
{
	while (f->nfds > 0)
		close(f->fds[--f->nfds]);
}

/* Send HELLOs as fast as they go; failures (no route any more) are counted. */
static void *flooder(void *arg)
{
	unsigned char b[HELLO_DGRAM];
	struct flood *f = arg;
	long long t0 = ms_now(), sent = 0, n;
	u64 rnd;

	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd) || !rnd)
		rnd = t0 | 1;
	for (n = 0;; n++) {
		/* Look at the clock now and then: under TCG it is a syscall. */
		if (!(n & 63) && ms_now() - t0 > FLOOD_MAX_MS)
			break;
		if (sent >= f->at_least && __atomic_load_n(&f->done, __ATOMIC_ACQUIRE))
			break;
		hello_build(b, &rnd);
		if (sendto(f->fds[n % f->nfds], b, sizeof(b), 0,
			   (struct sockaddr *)&f->to, sizeof(f->to)) == sizeof(b))
			__atomic_store_n(&f->sent, ++sent, __ATOMIC_RELEASE);
		else
			f->failed++;
	}
	f->ms = ms_now() - t0;
	return NULL;
}

static long long flood_sent(struct flood *f)
{
	return __atomic_load_n(&f->sent, __ATOMIC_ACQUIRE);
}

/*
 * What the kernel holds for itself, in kB: the guest's memory that is neither
 * free, nor buffers or page cache, nor the processes' anonymous pages.
 */
static long long kmem_kb(void)
{
	long long v, total = 0, rest = 0;
	char line[128], k[64];
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %lld", k, &v) != 2)
			continue;
		if (!strcmp(k, "MemTotal:"))
			total = v;
		else if (!strcmp(k, "MemFree:") || !strcmp(k, "Buffers:") ||
			 !strcmp(k, "Cached:") || !strcmp(k, "AnonPages:"))
			rest += v;
	}
	fclose(f);
	return total - rest;
}

struct kmem_watch {
	long long peak_kb;
	int stop;
};

static void *kmem_sampler(void *arg)
{
	struct kmem_watch *w = arg;
	long long kb;

	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE)) {
		kb = kmem_kb();
		if (kb > w->peak_kb)
			w->peak_kb = kb;
		usleep(SAMPLE_MS * 1000);
	}
	return NULL;
}

static int sock_error(int fd)
{
	socklen_t len = sizeof(int);
	int err = -1;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return errno;
	return err;
}

/*
 * connect() that gives up after @limit_ms rather than hang the test; returns
 * 0 or the error, and in *ms how long it took.
 */
static int timed_connect(int fd, const struct sockaddr_stt *to, int limit_ms,
			 long long *ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	long long t0 = ms_now();
	int flags = fcntl(fd, F_GETFL), err;

	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	err = do_connect(fd, to);
	if (err == EINPROGRESS)
		err = poll(&p, 1, limit_ms) == 1 ? sock_error(fd) : ETIMEDOUT;
	*ms = ms_now() - t0;
	fcntl(fd, F_SETFL, flags);
	return err;
}

/* A genuine stream from b to @srv's listener; 0 once it carried a few bytes. */
static int genuine_stream(int fd, int srv)
{
	static const char msg[] = "not a flood";
	struct pollfd p = { .fd = srv, .events = POLLIN };
	char buf[sizeof(msg)];
	int acc, rc;

	stall_guard(fd);
	if (write_full(fd, msg, sizeof(msg)) || poll(&p, 1, 30000) != 1)
		return -1;
	acc = accept(srv, NULL, NULL);
	if (acc < 0)
		return -1;
	stall_guard(acc);
	rc = read_full(acc, buf, sizeof(buf)) || memcmp(buf, msg, sizeof(msg));
	close(acc);
	return rc ? -1 : 0;
}

FIXTURE(flood) {
	struct flood f;
	int srv;
};

FIXTURE_SETUP(flood)
{
	self->srv = -1;
}

FIXTURE_TEARDOWN(flood)
{
	flood_close(&self->f);
	if (self->srv >= 0)
		close(self->srv);
	stt_hosts_down();
}

TEST_F_TIMEOUT(flood, hello_flood_bounded, 600)
{
	struct sockaddr_stt srv_addr = stt_addr4(STT_A4, PORT, 0), warm;
	static char addrs[FLOOD_SOURCES][32];
	struct kmem_watch watch = { 0 };
	long long base = 0, conn_ms = -1;
	pthread_t flood_th, watch_th;
	struct flood *f = &self->f;
	int i, fd, lfd, err = -1;

	f->at_least = debug_kernel() ? 2000 : 20000;
	ASSERT_EQ(0, flood_hosts_up(FLOOD_SOURCES));
	ASSERT_EQ(0, stt_enter("stt-a"));
	self->srv = listener(&srv_addr, SOCK_STREAM);
	ASSERT_LE(0, self->srv);
	ASSERT_EQ(0, stt_enter("stt-b"));
	for (i = 0; i < FLOOD_SOURCES; i++)
		flood_source(i, addrs[i], sizeof(addrs[i]));
	ASSERT_EQ(0, flood_open(f, addrs, FLOOD_SOURCES));
	/*
	 * The first handshake a guest makes instantiates the AEAD and runs
	 * the crypto self-tests (seconds under KASAN): have it, to another
	 * port, so that the session does not serve the genuine client, and
	 * the flood's cost is what the bar measures.
	 */
	warm = stt_addr4(STT_A4, PORT + 1, 0);
	ASSERT_EQ(0, stt_enter("stt-a"));
	lfd = listener(&warm, SOCK_STREAM);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, stt_enter("stt-b"));
	fd = stt_sock(SOCK_STREAM);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, timed_connect(fd, &warm, 30000, &conn_ms));
	ksft_print_msg("first handshake of the guest: %lld ms\n", conn_ms);
	close(fd);
	close(lfd);
	conn_ms = -1;
	fd = stt_sock(SOCK_STREAM);
	ASSERT_LE(0, fd);

	for (i = 0; i < 5; i++) {
		base += kmem_kb();
		usleep(SAMPLE_MS * 1000);
	}
	base /= 5;
	watch.peak_kb = base;
	ASSERT_EQ(0, pthread_create(&watch_th, NULL, kmem_sampler, &watch));
	ASSERT_EQ(0, pthread_create(&flood_th, NULL, flooder, f));

	/* The genuine client comes when the flood is well under way. */
	for (i = 0; i < FLOOD_MAX_MS / 10; i++) {
		if (flood_sent(f) >= f->at_least / 4)
			break;
		usleep(10000);
	}
	/* Waits past the 5 s bound, so that a slow connect is measured. */
	if (flood_sent(f) >= f->at_least / 4)
		err = timed_connect(fd, &srv_addr, 30000, &conn_ms);
	__atomic_store_n(&f->done, 1, __ATOMIC_RELEASE);
	pthread_join(flood_th, NULL);
	usleep(1000000);
	__atomic_store_n(&watch.stop, 1, __ATOMIC_RELEASE);
	pthread_join(watch_th, NULL);

	ksft_print_msg("%lld HELLOs in %.1f s (%lld failed), kernel memory +%.1f MB\n",
		       f->sent, f->ms / 1000.0, f->failed,
		       (watch.peak_kb - base) / 1024.0);
	ksft_print_msg("genuine connect: %s after %lld ms\n",
		       err ? strerror(err) : "ok", conn_ms);
	ksft_print_msg("a: cookies_sent %lld cookies_verified %lld handshakes_accepted %lld\n",
		       stat_in("stt-a", "cookies_sent"),
		       stat_in("stt-a", "cookies_verified"),
		       stat_in("stt-a", "handshakes_accepted"));
	ksft_print_msg("a: drop_handshake_queue %lld drop_hello_ratelimited %lld\n",
		       stat_in("stt-a", "drop_handshake_queue"),
		       stat_in("stt-a", "drop_hello_ratelimited"));
	ksft_print_msg("a: half_open_evicted %lld drop_cookie_invalid %lld\n",
		       stat_in("stt-a", "half_open_evicted"),
		       stat_in("stt-a", "drop_cookie_invalid"));
	ksft_print_msg("b: cookies_received %lld handshake_retransmits %lld\n",
		       stt_stat("cookies_received"),
		       stt_stat("handshake_retransmits"));

	EXPECT_LE(f->at_least, f->sent);
	EXPECT_GT(GROWTH_MAX_KB, watch.peak_kb - base);
	EXPECT_LT(0, stat_in("stt-a", "cookies_sent"));
	ASSERT_EQ(0, err);
	EXPECT_GT(CONNECT_MAX_MS, conn_ms);
	EXPECT_EQ(0, genuine_stream(fd, self->srv));
	close(fd);
}

/*
 * Host a goes away, listener and all, while HELLOs keep coming in: its
 * namespace must be dismantled, with the module's part of it, and the
 * module must serve new hosts afterwards.
 */
TEST_F_TIMEOUT(flood, netns_deleted_during_flood, 600)
{
	struct sockaddr_stt srv_addr = stt_addr4(STT_A4, PORT, 0);
	int round, rounds = debug_kernel() ? 1 : 3, i, fd;
	char addrs[8][32] = { STT_B4 };
	struct flood *f = &self->f;
	long long before, ms, t0, t1, t2;
	pthread_t th;

	for (i = 1; i < 8; i++)
		flood_source(i - 1, addrs[i], sizeof(addrs[i]));
	for (round = 0; round < rounds; round++) {
		ASSERT_EQ(0, flood_hosts_up(7));
		ASSERT_EQ(0, stt_enter("stt-a"));
		self->srv = listener(&srv_addr, SOCK_STREAM);
		ASSERT_LE(0, self->srv);
		ASSERT_EQ(0, stt_enter("stt-b"));
		ASSERT_EQ(0, flood_open(f, addrs, 8));
		f->done = 0;
		f->sent = 0;
		ASSERT_EQ(0, pthread_create(&th, NULL, flooder, f));
		usleep(500000);

		t0 = ms_now();
		close(self->srv);
		self->srv = -1;
		ASSERT_EQ(0, stt_ip_batch(NULL, "netns del stt-a\n"));
		before = flood_sent(f);
		t1 = ms_now();
		/* Its veth goes with it, taking b's end along: wait for that. */
		for (i = 0; i < 600 && if_nametoindex("veth0"); i++)
			usleep(100000);
		t2 = ms_now();
		__atomic_store_n(&f->done, 1, __ATOMIC_RELEASE);
		pthread_join(th, NULL);
		ksft_print_msg("round %d: %lld HELLOs before the delete, %lld in all\n",
			       round, before, f->sent);
		ksft_print_msg("round %d: close and delete %lld ms, veth gone %lld ms later\n",
			       round, t1 - t0, t2 - t1);
		EXPECT_LT(0, before);
		EXPECT_EQ(0, if_nametoindex("veth0"));
		EXPECT_NE(0, access("/run/netns/stt-a", F_OK));
		flood_close(f);
	}

	/* New hosts: the module still handshakes. */
	ASSERT_EQ(0, stt_hosts_up());
	ASSERT_EQ(0, stt_enter("stt-a"));
	self->srv = listener(&srv_addr, SOCK_STREAM);
	ASSERT_LE(0, self->srv);
	ASSERT_EQ(0, stt_enter("stt-b"));
	fd = stt_sock(SOCK_STREAM);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, timed_connect(fd, &srv_addr, 30000, &ms));
	EXPECT_EQ(0, genuine_stream(fd, self->srv));
	close(fd);
}

/*
 * A flooder that can receive at its address echoes every cookie: the cookie
 * only proves the address, so what holds it back is the per-source rate
 * limit, and what bounds the half-open sessions it still makes is the cap,
 * which evicts the oldest.  Every HELLO whose cookie verified is either
 * rate-limited or answered, to the packet.
 */
TEST_F_TIMEOUT(flood, cookie_echoing_flooder_is_limited, 600)
{
	struct sockaddr_stt srv_addr = stt_addr4(STT_A4, PORT, 0);
	long long t0, ms, verified, limited, accepted, evicted, echoed = 0;
	unsigned char b[HELLO_DGRAM], reply[128];
	char addrs[1][32] = { STT_B4 };
	struct timeval tv = { .tv_sec = 2 };
	struct flood *f = &self->f;
	int i, n, rounds = 200;
	u64 rnd = 0x5eed;

	ASSERT_EQ(0, stt_hosts_up());
	ASSERT_EQ(0, sysctl_in("stt-a", "handshake_cookie_threshold", 0));
	ASSERT_EQ(0, sysctl_in("stt-a", "max_half_open", 2));
	ASSERT_EQ(0, sysctl_in("stt-a", "handshake_ratelimit", 1));
	ASSERT_EQ(0, stt_enter("stt-a"));
	self->srv = listener(&srv_addr, SOCK_STREAM);
	ASSERT_LE(0, self->srv);
	ASSERT_EQ(0, stt_enter("stt-b"));
	ASSERT_EQ(0, flood_open(f, addrs, 1));
	ASSERT_EQ(0, setsockopt(f->fds[0], SOL_SOCKET, SO_RCVTIMEO, &tv,
				sizeof(tv)));

	t0 = ms_now();
	for (i = 0; i < rounds; i++) {
		hello_build(b, &rnd);
		ASSERT_EQ(sizeof(b), sendto(f->fds[0], b, sizeof(b), 0,
					    (struct sockaddr *)&f->to,
					    sizeof(f->to)));
		/*
		 * Header, then COOKIE: the HELLO's nonce (body offset 40) and
		 * the MAC.  CHALLENGEs to HELLOs answered earlier come too.
		 */
		do
			n = recv(f->fds[0], reply, sizeof(reply), 0);
		while (n > 0 && (n != 16 + 1 + 48 || reply[16] != 0x06 ||
				 memcmp(reply + 17, b + 16 + 1 + 40, 32)));
		if (n <= 0)
			continue;
		/* The same HELLO again, the COOKIE frame after it. */
		memcpy(b + 16 + 73, reply + 16, 1 + 48);
		if (sendto(f->fds[0], b, sizeof(b), 0, (struct sockaddr *)&f->to,
			   sizeof(f->to)) == sizeof(b))
			echoed++;
	}
	ms = ms_now() - t0;
	/* The worker answers what passed the gate in its own time. */
	for (i = 0; i < 300; i++) {
		verified = stat_in("stt-a", "cookies_verified");
		limited = stat_in("stt-a", "drop_hello_ratelimited");
		accepted = stat_in("stt-a", "handshakes_accepted");
		if (verified == limited + accepted)
			break;
		usleep(100000);
	}
	evicted = stat_in("stt-a", "half_open_evicted");
	ksft_print_msg("%lld cookies echoed in %lld ms: %lld verified\n",
		       echoed, ms, verified);
	ksft_print_msg("%lld rate-limited, %lld answered, %lld evicted\n",
		       limited, accepted, evicted);

	EXPECT_EQ(rounds, echoed);
	EXPECT_EQ(echoed, verified);
	EXPECT_EQ(verified, limited + accepted);
	/* A burst of 5, then 1 per second, one more for rounding. */
	EXPECT_GE(5 + ms / 1000 + 1, accepted);
	EXPECT_LE(rounds - 5 - ms / 1000 - 1, limited);
	/* At most 2 stay half-open: the others were evicted, oldest first. */
	EXPECT_LE(accepted - 2, evicted);
	EXPECT_LE(3, evicted);
}

TEST_HARNESS_MAIN
