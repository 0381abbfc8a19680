// SPDX-License-Identifier: GPL-2.0
/*
 * Stream I/O as an application sees it, between two hosts (namespaces stt-a
 * and stt-b joined by veth), over IPv4 and IPv6: what epoll reports on a
 * stream through its life (writable, readable, the peer's end, a reset) in
 * level and edge-triggered mode; a full send buffer (EAGAIN, no EPOLLOUT)
 * against a peer that does not read, and EPOLLOUT once it does; close() with
 * SO_LINGER against a reading and a silent peer; the session window and the
 * namespace's memory bound with slow readers; the receive bound against
 * tiny messages; the share of two streams of
 * priority 0 and 7 on a busy link; and 100 MiB over one
 * stream checked byte by byte and with SHA-256.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <limits.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "pair.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Packets the kernel dropped for want of room in a CPU's backlog. */
static unsigned long long backlog_drops(void)
{
	FILE *f = fopen("/proc/net/softnet_stat", "r");
	unsigned int processed, dropped;
	unsigned long long sum = 0;
	char line[256];

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%x %x", &processed, &dropped) == 2)
			sum += dropped;
	if (f)
		fclose(f);
	return sum;
}

/* The line of /proc/net/dev that read_dev() found. */
static char dev_line[256];

/* Device @dev's line of /proc/net/dev, into dev_line; run by in_ns(). */
static int read_dev(const char *dev, long unused)
{
	FILE *f = fopen("/proc/net/dev", "r");
	char line[sizeof(dev_line)];

	while (f && fgets(line, sizeof(line), f)) {
		if (strstr(line, dev)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(dev_line, sizeof(dev_line), "%s", line);
			break;
		}
	}
	if (f)
		fclose(f);
	return 0;
}

/*
 * log_drops(), and what it leaves out that stream I/O needs: packets, window
 * updates and resets, each host's veth0 line and the backlog drops.
 */
static void log_io(struct __test_metadata *_metadata)
{
	static const char * const names[] = {
		"packets_out", "packets_in", "window_updates_out",
		"streams_reset_in", "streams_reset_out",
	};
	static const char * const hosts[] = { "stt-a", "stt-b" };
	unsigned int i;

	log_drops(_metadata);
	for (i = 0; i < ARRAY_SIZE(names); i++)
		TH_LOG("%-22s a %lld, b %lld", names[i],
		       stat_in("stt-a", names[i]), stat_in("stt-b", names[i]));
	for (i = 0; i < ARRAY_SIZE(hosts); i++) {
		snprintf(dev_line, sizeof(dev_line), "?");
		in_ns(hosts[i], read_dev, "veth0:", 0);
		TH_LOG("%s %s", hosts[i], dev_line);
	}
	TH_LOG("backlog drops (softnet_stat) %llu", backlog_drops());
}

static int sock_int(int fd, int level, int name)
{
	socklen_t len = sizeof(int);
	int v;

	return getsockopt(fd, level, name, &v, &len) ? -1 : v;
}

static int set_int(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v));
}

static int stt_info(int fd, struct stt_info *info)
{
	socklen_t len = sizeof(*info);

	return getsockopt(fd, SOL_STT, STT_INFO, info, &len);
}

/* Bytes of @buf that differ from test stream @seed at offset @off. */
static u64 bad_bytes(const unsigned char *buf, size_t len, u64 off,
		     unsigned int seed)
{
	u64 bad = 0;
	size_t i;

	for (i = 0; i < len; i++)
		bad += buf[i] != pattern(off + i, seed);
	return bad;
}

/* The SHA-256 of the first @len bytes of test stream @seed. */
static void sha256_stream(u64 len, unsigned int seed, unsigned char *out)
{
	static unsigned char buf[1 << 16];
	struct sha256 c;
	u64 off;
	size_t n;

	sha256_init(&c);
	for (off = 0; off < len; off += n) {
		n = len - off < sizeof(buf) ? len - off : sizeof(buf);
		fill(buf, n, off, seed);
		sha256_update(&c, buf, n);
	}
	sha256_final(&c, out);
}

/* epoll on one socket. */
static int ep_new(int fd, unsigned int events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
		close(ep);
		return -1;
	}
	return ep;
}

static int ep_mod(int ep, int fd, unsigned int events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

/* The events of the one socket in @ep within @ms, or 0 if none came. */
static unsigned int ep_wait(int ep, int ms)
{
	struct epoll_event ev;
	int n;

	do {
		n = epoll_wait(ep, &ev, 1, ms);
	} while (n < 0 && errno == EINTR);
	return n == 1 ? ev.events : 0;
}

/*
 * Level-triggered epoll through a stream's life: a fresh stream is writable
 * and not readable; the peer's data makes it readable until read; the
 * peer's shutdown(SHUT_WR) shows, once the data is read, as EPOLLIN and
 * EPOLLRDHUP with read() returning 0.  A peer's reset (SO_LINGER 0) shows as
 * EPOLLERR and EPOLLHUP; send() then fails with EPIPE, what arrived before
 * the reset is still read, and SO_ERROR is ECONNRESET.
 */
TEST_F_TIMEOUT(pair, epoll_levels, 120)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	unsigned int ev, want;
	int c, a, ep;
	char buf[16];
	double t0;

	c = open_stream(self->srv, &self->srv_addr, SOCK_STREAM, &a);
	ASSERT_LE(0, c);
	stall_guard(c);
	ep = ep_new(c, EPOLLIN | EPOLLOUT | EPOLLRDHUP);
	ASSERT_LE(0, ep);

	/* Fresh: writable only. */
	EXPECT_EQ(EPOLLOUT, ep_wait(ep, 5000));

	/* The peer's data: readable, until it is read. */
	ASSERT_EQ(0, ep_mod(ep, c, EPOLLIN | EPOLLRDHUP));
	EXPECT_EQ(0, ep_wait(ep, 0));
	ASSERT_EQ(4, send(a, "ping", 4, 0));
	EXPECT_EQ(EPOLLIN, ep_wait(ep, 5000));
	ASSERT_EQ(0, read_full(c, buf, 4));
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	EXPECT_EQ(0, ep_wait(ep, 0));

	/* The peer's end: the last data, then EPOLLIN | EPOLLRDHUP and 0. */
	ASSERT_EQ(3, send(a, "bye", 3, 0));
	ASSERT_EQ(0, shutdown(a, SHUT_WR));
	EXPECT_TRUE(ep_wait(ep, 5000) & EPOLLIN);
	ASSERT_EQ(0, read_full(c, buf, 3));
	EXPECT_EQ(0, memcmp(buf, "bye", 3));
	EXPECT_EQ(EPOLLIN | EPOLLRDHUP, ep_wait(ep, 5000));
	EXPECT_EQ(0, recv(c, buf, sizeof(buf), MSG_DONTWAIT));
	/* Our side is still open: writable, and no EPOLLHUP yet. */
	ASSERT_EQ(0, ep_mod(ep, c, EPOLLIN | EPOLLOUT | EPOLLRDHUP));
	EXPECT_EQ(EPOLLIN | EPOLLOUT | EPOLLRDHUP, ep_wait(ep, 0));
	ASSERT_EQ(2, send(c, "ok", 2, 0));
	ASSERT_EQ(0, read_full(a, buf, 2));
	close(ep);
	close(c);
	close(a);

	/* A reset, with data that came before it. */
	c = open_stream(self->srv, &self->srv_addr, SOCK_STREAM, &a);
	ASSERT_LE(0, c);
	stall_guard(c);
	ep = ep_new(c, EPOLLIN | EPOLLRDHUP | EPOLLET);
	ASSERT_LE(0, ep);
	ASSERT_EQ(4, send(a, "data", 4, 0));
	ASSERT_EQ(0, setsockopt(a, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	close(a);
	/* Edge-triggered only to wait without spinning on EPOLLIN. */
	t0 = now();
	do {
		ev = ep_wait(ep, 1000);
	} while (!(ev & EPOLLERR) && now() - t0 < 10);
	ASSERT_EQ(0, ep_mod(ep, c, EPOLLIN | EPOLLOUT | EPOLLRDHUP));
	ev = ep_wait(ep, 0);
	want = EPOLLERR | EPOLLHUP | EPOLLIN | EPOLLRDHUP;
	EXPECT_EQ(want, ev & want) {
		TH_LOG("events after the reset: %#x", ev);
		log_io(_metadata);
	}
	EXPECT_EQ(-1, send(c, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(4, recv(c, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "data", 4));
	EXPECT_EQ(ECONNRESET, sock_int(c, SOL_SOCKET, SO_ERROR));
	close(ep);
	close(c);
}

/*
 * A refused non-blocking connect() (a SOCK_SEQPACKET stream to the
 * SOCK_STREAM listener): poll() reports EPOLLERR and EPOLLHUP, SO_ERROR is
 * EPROTOTYPE, and once it is read EPOLLHUP stays, as on TCP.  A socket
 * never connected reports EPOLLHUP too.
 */
TEST_F_TIMEOUT(pair, refused_connect_polls_hup, 120)
{
	struct pollfd p;
	int c, err;

	c = stt_sock(SOCK_SEQPACKET);
	ASSERT_LE(0, c);
	p = (struct pollfd){ .fd = c, .events = POLLIN | POLLOUT };
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLHUP, p.revents);
	ASSERT_EQ(0, fcntl(c, F_SETFL, O_NONBLOCK));
	err = do_connect(c, &self->srv_addr);
	ASSERT_TRUE(err == EINPROGRESS || err == EPROTOTYPE) {
		TH_LOG("connect: %s", strerror(err));
	}
	if (err == EINPROGRESS) {
		ASSERT_EQ(1, poll(&p, 1, 10000));
		EXPECT_EQ(POLLERR | POLLHUP, p.revents & (POLLERR | POLLHUP));
		EXPECT_FALSE(p.revents & POLLOUT);
		EXPECT_EQ(EPROTOTYPE, sock_int(c, SOL_SOCKET, SO_ERROR));
	}
	/* SO_ERROR was read: the hang-up stays, without EPOLLERR. */
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLHUP, p.revents);
	EXPECT_EQ(0, sock_int(c, SOL_SOCKET, SO_ERROR));
	close(c);
}

/*
 * Edge-triggered epoll: the arrivals of a burst, however many packets, make
 * one event; data left unread makes no second one; the next burst makes
 * the next event.  Each burst is known to have arrived (a MSG_PEEK |
 * MSG_WAITALL read returned all of it) before epoll is asked.
 */
TEST_F_TIMEOUT(pair, epoll_edge, 120)
{
	unsigned char out[300], in[900];
	int c, a, ep, one = 1, burst, i;

	c = open_stream(self->srv, &self->srv_addr, SOCK_STREAM, &a);
	ASSERT_LE(0, c);
	stall_guard(c);
	ASSERT_EQ(0, setsockopt(a, SOL_STT, STT_NODELAY, &one, sizeof(one)));
	ep = ep_new(c, EPOLLIN | EPOLLRDHUP | EPOLLET);
	ASSERT_LE(0, ep);
	EXPECT_EQ(0, ep_wait(ep, 0));

	for (burst = 0; burst < 3; burst++) {
		/* Three packets. */
		for (i = 0; i < 3; i++) {
			fill(out, 100, (burst * 3 + i) * 100, 5);
			ASSERT_EQ(100, send(a, out, 100, 0));
		}
		ASSERT_EQ((burst + 1) * 300,
			  recv(c, in, (burst + 1) * 300, MSG_PEEK | MSG_WAITALL));
		EXPECT_EQ(EPOLLIN, ep_wait(ep, 5000)) {
			TH_LOG("burst %d: no event", burst);
		}
		EXPECT_EQ(0, ep_wait(ep, 300)) {
			TH_LOG("burst %d: a second event", burst);
		}
	}
	ASSERT_EQ(0, read_full(c, in, 900));
	EXPECT_EQ(0, bad_bytes(in, 900, 0, 5));
	EXPECT_EQ(0, ep_wait(ep, 300));
	close(ep);
	close(c);
	close(a);
}

struct late_send {
	int fd;
	const char *data;
	size_t len;
};

/* Sends once the reader is (most likely) asleep; either way works. */
static void *late_sender(void *arg)
{
	struct late_send *ls = arg;

	usleep(200000);
	send(ls->fd, ls->data, ls->len, 0);
	return NULL;
}

static void rcvtimeo_ms(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000,
			      .tv_usec = ms % 1000 * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/*
 * A peek that wants more than is queued (MSG_PEEK | MSG_WAITALL, or
 * SO_RCVLOWAT above what is queued) waits for it, as on TCP: it returns
 * what is queued at its timeout, all it asked for once the rest arrives,
 * and what is queued at the end of the stream; it takes nothing off the
 * queue.  (It once went round without end with the socket locked.)
 */
TEST_F_TIMEOUT(pair, peek_waits_for_more, 120)
{
	struct late_send ls;
	char buf[64];
	int c, a, lowat = 20, one = 1;
	struct pollfd p;
	pthread_t t;
	double t0, took;

	c = open_stream(self->srv, &self->srv_addr, SOCK_STREAM, &a);
	ASSERT_LE(0, c);
	stall_guard(c);
	ASSERT_EQ(0, setsockopt(a, SOL_STT, STT_NODELAY, &one, sizeof(one)));
	ASSERT_EQ(3, send(a, "abc", 3, 0));
	p = (struct pollfd){ .fd = c, .events = POLLIN };
	ASSERT_EQ(1, poll(&p, 1, 10000));

	/* Fewer than asked, nothing more comes: what is queued, at timeout. */
	rcvtimeo_ms(c, 300);
	t0 = now();
	EXPECT_EQ(3, recv(c, buf, 10, MSG_PEEK | MSG_WAITALL));
	took = now() - t0;
	TH_LOG("MSG_PEEK | MSG_WAITALL, 3 of 10 bytes: returned in %.0f ms",
	       took * 1000);
	EXPECT_LE(0.25, took);
	EXPECT_GE(5.0, took);
	EXPECT_EQ(0, memcmp(buf, "abc", 3));

	/* The same with SO_RCVLOWAT above what is queued. */
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_RCVLOWAT, &lowat,
				sizeof(lowat)));
	t0 = now();
	EXPECT_EQ(3, recv(c, buf, sizeof(buf), MSG_PEEK));
	took = now() - t0;
	TH_LOG("MSG_PEEK, SO_RCVLOWAT 20, 3 bytes: returned in %.0f ms",
	       took * 1000);
	EXPECT_LE(0.25, took);
	lowat = 1;
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_RCVLOWAT, &lowat,
				sizeof(lowat)));

	/* The rest comes while it waits: all of it, still queued. */
	rcvtimeo_ms(c, 20000);
	ls = (struct late_send){ .fd = a, .data = "defghij", .len = 7 };
	ASSERT_EQ(0, pthread_create(&t, NULL, late_sender, &ls));
	EXPECT_EQ(10, recv(c, buf, 10, MSG_PEEK | MSG_WAITALL));
	pthread_join(t, NULL);
	EXPECT_EQ(0, memcmp(buf, "abcdefghij", 10));

	/* The end of the stream: what is queued, at once; then read it. */
	ASSERT_EQ(0, shutdown(a, SHUT_WR));
	t0 = now();
	EXPECT_EQ(10, recv(c, buf, sizeof(buf), MSG_PEEK | MSG_WAITALL));
	TH_LOG("MSG_PEEK | MSG_WAITALL at the end: returned in %.0f ms",
	       (now() - t0) * 1000);
	EXPECT_EQ(10, recv(c, buf, sizeof(buf), MSG_WAITALL));
	EXPECT_EQ(0, memcmp(buf, "abcdefghij", 10));
	EXPECT_EQ(0, recv(c, buf, sizeof(buf), 0));
	close(c);
	close(a);
}

/*
 * A full send buffer: with a 16 KiB SO_RCVBUF at the peer (its window) and
 * a 16 KiB SO_SNDBUF here, a non-blocking sender that the peer does not
 * read gets EAGAIN after at most a window and a send buffer, and epoll
 * shows no EPOLLOUT; once the peer reads, EPOLLOUT comes, sending resumes
 * through the small window, and every byte arrives in order.
 */
TEST_F_TIMEOUT(pair, sndbuf_eagain_then_epollout, 300)
{
	static unsigned char buf[4096], in[1 << 17];
	const u64 more = 2 << 20;
	struct xfer rx = { .seed = 8, .chunk = 8192 };
	int small = 16384, c, a, ep, rcvbuf, sndbuf;
	unsigned int ev = 0;
	pthread_t r;
	u64 off = 0, start, end;
	ssize_t n;

	ASSERT_EQ(0, set_int(self->srv, SOL_SOCKET, SO_RCVBUF, small));
	c = stt_sock(SOCK_STREAM);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, set_int(c, SOL_SOCKET, SO_SNDBUF, small));
	ASSERT_EQ(0, do_connect(c, &self->srv_addr));
	a = accept(self->srv, NULL, NULL);
	ASSERT_LE(0, a);
	rcvbuf = sock_int(a, SOL_SOCKET, SO_RCVBUF);
	sndbuf = sock_int(c, SOL_SOCKET, SO_SNDBUF);
	TH_LOG("peer SO_RCVBUF %d, SO_SNDBUF %d", rcvbuf, sndbuf);
	ASSERT_GE(4 * small, rcvbuf);
	stall_guard(a);
	ASSERT_EQ(0, fcntl(c, F_SETFL, O_NONBLOCK));

	/* Send until EAGAIN; 64 MiB without it would mean no limit at all. */
	for (;;) {
		fill(buf, sizeof(buf), off, 7);
		n = send(c, buf, sizeof(buf), MSG_NOSIGNAL);
		if (n < 0)
			break;
		off += n;
		ASSERT_GT(64 << 20, off);
	}
	ASSERT_EQ(EAGAIN, errno);
	TH_LOG("EAGAIN after %llu bytes", off);
	EXPECT_GE((u64)rcvbuf + sndbuf, off) {
		log_io(_metadata);
	}
	ASSERT_GE(sizeof(in), off);

	ep = ep_new(c, EPOLLOUT);
	ASSERT_LE(0, ep);
	EXPECT_EQ(0, ep_wait(ep, 500));

	/* The peer reads everything sent so far: EPOLLOUT. */
	ASSERT_EQ(0, read_full(a, in, off)) {
		log_io(_metadata);
	}
	EXPECT_EQ(0, bad_bytes(in, off, 0, 7));
	ev = ep_wait(ep, 10000);
	EXPECT_EQ(EPOLLOUT, ev) {
		log_io(_metadata);
	}

	/*
	 * Sending resumes, EPOLLOUT after each EAGAIN, while the peer reads:
	 * the rest is test stream 8 from its start, so that the receiver
	 * checks it from where it begins.
	 */
	rx.fd = a;
	ASSERT_EQ(0, pthread_create(&r, NULL, receiver, &rx));
	start = off;
	end = off + more;
	while (off < end) {
		n = end - off < sizeof(buf) ? end - off : sizeof(buf);
		fill(buf, n, off - start, 8);
		n = send(c, buf, n, MSG_NOSIGNAL);
		if (n > 0) {
			off += n;
			continue;
		}
		if (n < 0 && errno != EAGAIN)
			break;
		ev = ep_wait(ep, 10000);
		if (!(ev & EPOLLOUT))
			break;
	}
	EXPECT_EQ(end, off) {
		TH_LOG("stopped at %llu: %s, events %#x", off, strerror(errno), ev);
		log_io(_metadata);
	}
	shutdown(c, SHUT_WR);
	pthread_join(r, NULL);
	EXPECT_EQ(0, rx.err);
	EXPECT_EQ(off - start, rx.len);
	EXPECT_EQ(0, rx.bad);
	close(ep);
	close(c);
	close(a);
}

/* A close() running in a child process; see close_start(). */
struct closer {
	pid_t pid;
	int pidfd;
	double t0;
};

/*
 * close(@fd) in a child, so that a close() that never returns cannot hang
 * the test: the caller's copy is closed first, so the child's close() is the
 * last one and does the release.  0 once the child is closing it.
 */
static int close_start(struct closer *cl, int fd)
{
	int go[2];
	char x = 0;

	if (pipe(go))
		return -1;
	cl->pid = fork();
	if (cl->pid < 0)
		return -1;
	if (!cl->pid) {
		close(go[1]);
		if (read(go[0], &x, 1) != 1)
			_exit(1);
		close(fd);
		_exit(0);
	}
	close(go[0]);
	cl->pidfd = syscall(SYS_pidfd_open, cl->pid, 0);
	close(fd);
	cl->t0 = now();
	if (write(go[1], &x, 1) != 1 || cl->pidfd < 0) {
		close(go[1]);
		return -1;
	}
	close(go[1]);
	return 0;
}

/* Where a closer is stuck: its kernel stack. */
static void log_stuck(struct __test_metadata *_metadata, struct closer *cl)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stack", cl->pid);
	f = fopen(path, "r");
	TH_LOG("close() in process %d has not returned; its kernel stack:",
	       cl->pid);
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		TH_LOG("  %s", line);
	}
	if (f)
		fclose(f);
}

/*
 * Seconds the close() took, or -1 if it did not return within @ms (the
 * child is then left behind, stuck).
 */
static double close_wait(struct closer *cl, int ms)
{
	struct pollfd p = { .fd = cl->pidfd, .events = POLLIN };
	double dt = -1;
	int status;

	if (poll(&p, 1, ms) == 1) {
		dt = now() - cl->t0;
		if (waitpid(cl->pid, &status, 0) != cl->pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			dt = -1;
	}
	if (dt >= 0)
		close(cl->pidfd);
	return dt;
}

/*
 * SO_LINGER with a time.  What is asserted:
 *  - peer reading: with data queued beyond the peer's window, close()
 *    is still waiting 0.5 s later while the peer does not read, and returns
 *    well before the linger time (5 s here) once the peer reads; the peer
 *    gets every byte, then the end of the stream;
 *  - peer silent, window full: close() with SO_LINGER {1, 2} returns after
 *    the linger time (1.5 s <= t < 10 s); afterwards the session carries a
 *    new stream both ways, and the closed stream goes on sending what it
 *    had queued: the peer, reading at last, gets all of it, then the end.
 */
TEST_F_TIMEOUT(pair, linger_timed, 180)
{
	static unsigned char buf[96 << 10];
	struct xfer rx = { .seed = 9, .chunk = 8192 };
	struct linger lg = { .l_onoff = 1, .l_linger = 5 };
	int small = 16384, c, a, c3, a3;
	struct stt_info info;
	struct closer cl;
	struct pollfd p;
	pthread_t r;
	char msg[8];
	double dt;

	ASSERT_EQ(0, set_int(self->srv, SOL_SOCKET, SO_RCVBUF, small));

	/* A reading peer, held back for the first 0.5 s. */
	c = open_stream(self->srv, &self->srv_addr, SOCK_STREAM, &a);
	ASSERT_LE(0, c);
	stall_guard(a);
	stall_guard(c);
	fill(buf, sizeof(buf), 0, 9);
	ASSERT_EQ(0, write_full(c, buf, sizeof(buf)));
	ASSERT_EQ(0, stt_info(c, &info));
	ASSERT_LT(0, info.stti_snd_queued);	/* beyond the window */
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	ASSERT_EQ(0, close_start(&cl, c));
	p = (struct pollfd){ .fd = cl.pidfd, .events = POLLIN };
	EXPECT_EQ(0, poll(&p, 1, 500)) {
		TH_LOG("close() returned with the data still queued");
	}
	rx.fd = a;
	ASSERT_EQ(0, pthread_create(&r, NULL, receiver, &rx));
	dt = close_wait(&cl, 20000);
	if (dt < 0)
		log_stuck(_metadata, &cl);
	pthread_join(r, NULL);
	TH_LOG("close() with a reading peer took %.2f s (linger 5 s)", dt);
	EXPECT_LE(0.4, dt);
	EXPECT_GT(4.0, dt) {
		log_io(_metadata);
	}
	EXPECT_EQ(0, rx.err);
	EXPECT_EQ(sizeof(buf), rx.len);
	EXPECT_EQ(0, rx.bad);
	close(a);

	/* A silent peer and a full window: close() takes the linger time. */
	c = open_stream(self->srv, &self->srv_addr, SOCK_STREAM, &a);
	ASSERT_LE(0, c);
	stall_guard(a);
	stall_guard(c);
	ASSERT_EQ(0, write_full(c, buf, sizeof(buf)));
	ASSERT_EQ(0, stt_info(c, &info));
	ASSERT_LT(0, info.stti_snd_queued);
	lg.l_linger = 2;
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	ASSERT_EQ(0, close_start(&cl, c));
	dt = close_wait(&cl, 20000);
	if (dt < 0)
		log_stuck(_metadata, &cl);
	TH_LOG("close() with a silent peer took %.2f s (linger 2 s)", dt);
	EXPECT_LE(1.5, dt);
	EXPECT_GT(10.0, dt);

	/* The session and its other streams still work. */
	c3 = open_stream(self->srv, &self->srv_addr, SOCK_STREAM, &a3);
	ASSERT_LE(0, c3);
	stall_guard(a3);
	stall_guard(c3);
	ASSERT_EQ(5, send(c3, "hello", 5, 0));
	ASSERT_EQ(0, read_full(a3, msg, 5));
	EXPECT_EQ(0, memcmp(msg, "hello", 5));
	ASSERT_EQ(5, send(a3, "world", 5, 0));
	ASSERT_EQ(0, read_full(c3, msg, 5));
	EXPECT_EQ(0, memcmp(msg, "world", 5));
	EXPECT_EQ(1, stt_stat("handshakes_completed"));

	/* The closed stream still delivers what it had queued, then ends. */
	rx = (struct xfer){ .fd = a, .seed = 9, .chunk = 8192 };
	receiver(&rx);
	EXPECT_EQ(0, rx.err);
	EXPECT_EQ(sizeof(buf), rx.len) {
		log_io(_metadata);
	}
	EXPECT_EQ(0, rx.bad);
	close(a);
	close(c3);
	close(a3);
}

/* A writer that keeps its stream's send queue full until told to stop. */
struct writer {
	int fd;
	unsigned int seed;
	int *stop;
	pthread_barrier_t *start;
	u64 sent;
	int err;
};

static void *writer(void *arg)
{
	struct writer *w = arg;
	size_t len = 1 << 16;
	unsigned char *buf = malloc(len);

	pthread_barrier_wait(w->start);
	while (buf && !__atomic_load_n(w->stop, __ATOMIC_RELAXED)) {
		fill(buf, len, w->sent, w->seed);
		w->err = write_full(w->fd, buf, len);
		if (w->err)
			break;
		w->sent += len;
	}
	if (!buf)
		w->err = -ENOMEM;
	shutdown(w->fd, SHUT_WR);
	free(buf);
	return NULL;
}

/*
 * Priorities: streams of priority 0 and 7 on one session, each with a
 * writer that keeps its send queue full (4 MiB send buffers: more than the
 * link's queue holds in flight), a reader that
 * drains both (windows as large as the session allows, so that flow control
 * does not hold either back), and a link of 4 Mbit/s (netem on the sender's
 * side), so that the link, not the CPUs, is the bottleneck: the congestion
 * window stops the pusher and the scheduler decides whose data goes next.
 * By the time the priority 7 stream delivered 4 MiB, the priority 0 stream
 * delivered less (at most half of it) but not nothing; the design gives
 * 1/8.  (With an idle link both streams send whatever their writers hand
 * over: the scheduler is work-conserving.)  The debug kernel moves less
 * than 4 Mbit/s: there the link is 1 Mbit/s and the mark 1 MiB.  Once the
 * mark is passed the link goes back to full speed, for what is still queued
 * to drain.
 */
TEST_F_TIMEOUT(pair, priority_share, 300)
{
	static unsigned char buf[1 << 18];
	const int prio[2] = { 0, 7 };
	struct writer w[2];
	pthread_barrier_t start;
	pthread_t t[2];
	struct pollfd p[2];
	struct stt_info info[2];
	u64 got[2] = { 0, 0 }, at[2] = { 0, 0 }, bad = 0;
	int c[2], a[2], stop = 0, left = 2, i;
	const char *rate = "rate 4mbit";
	u64 target = 4 << 20;
	double ratio, t0;
	ssize_t n;

	if (!access("/sys/kernel/debug/kmemleak", F_OK)) {
		target = 1 << 20;
		rate = "rate 1mbit";
	}
	ASSERT_EQ(0, set_int(self->srv, SOL_SOCKET, SO_RCVBUFFORCE, 16 << 20));
	for (i = 0; i < 2; i++) {
		c[i] = stt_sock(SOCK_STREAM);
		ASSERT_LE(0, c[i]);
		ASSERT_EQ(0, set_int(c[i], SOL_STT, STT_PRIORITY, prio[i]));
		ASSERT_EQ(0, set_int(c[i], SOL_SOCKET, SO_SNDBUFFORCE, 4 << 20));
		ASSERT_EQ(0, do_connect(c[i], &self->srv_addr));
		a[i] = accept(self->srv, NULL, NULL);
		ASSERT_LE(0, a[i]);
		stall_guard(c[i]);
		ASSERT_EQ(0, fcntl(a[i], F_SETFL, O_NONBLOCK));
		p[i] = (struct pollfd){ .fd = a[i], .events = POLLIN };
		w[i] = (struct writer){ .fd = c[i], .seed = 20 + i,
					.stop = &stop, .start = &start };
	}
	ASSERT_EQ(0, stt_netem("stt-b", rate));
	ASSERT_EQ(0, pthread_barrier_init(&start, NULL, 3));
	t0 = now();
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, writer, &w[i]));
	pthread_barrier_wait(&start);

	memset(info, 0, sizeof(info));
	while (left) {
		if (poll(p, 2, 30000) <= 0)
			break;
		for (i = 0; i < 2; i++) {
			if (!p[i].revents)
				continue;
			/* Drain it, so that the counts follow the arrivals. */
			while ((n = recv(a[i], buf, sizeof(buf), 0)) > 0) {
				bad += bad_bytes(buf, n, got[i], 20 + i);
				got[i] += n;
			}
			if (!n || (n < 0 && errno != EAGAIN)) {
				p[i].fd = -1;
				left--;
			}
		}
		if (!stop && got[1] >= target) {
			at[0] = got[0];
			at[1] = got[1];
			stt_info(a[0], &info[0]);
			stt_info(a[1], &info[1]);
			__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
			stt_netem_off("stt-b");
		}
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < 2; i++) {
		if (left)
			shutdown(c[i], SHUT_RDWR);
		pthread_join(t[i], NULL);
	}
	EXPECT_EQ(0, left) {
		TH_LOG("stalled at %llu and %llu bytes", got[0], got[1]);
		log_io(_metadata);
	}
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, w[i].err);
		EXPECT_EQ(w[i].sent, got[i]);
	}
	EXPECT_EQ(0, bad);

	ratio = at[0] ? (double)at[1] / at[0] : 0;
	TH_LOG("priority 7 delivered %llu bytes, priority 0 %llu: ratio %.2f",
	       at[1], at[0], ratio);
	TH_LOG("received by the kernel by then: %llu and %llu bytes",
	       info[1].stti_bytes_received, info[0].stti_bytes_received);
	TH_LOG("%.1f s in all; out of order a %lld, backlog drops %llu",
	       now() - t0, stat_in("stt-a", "data_out_of_order"),
	       backlog_drops());
	ksft_print_msg("priority_share: ratio %.2f\n", ratio);
	EXPECT_LT(0, at[0]);		/* priority 0 is not starved */
	EXPECT_LE(2.0, ratio);
	for (i = 0; i < 2; i++) {
		close(c[i]);
		close(a[i]);
	}
}

/* A line "NAME VALUE" of /proc/net/stt/memory; run by in_ns(). */
static int mem_line(const char *name, long unused)
{
	FILE *f = fopen("/proc/net/stt/memory", "r");
	char line[128], k[64];
	long long v;
	int found = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld", k, &v) == 2 && !strcmp(k, name))
			found = v > INT_MAX ? INT_MAX : (int)v;
	if (f)
		fclose(f);
	return found;
}

/*
 * A SOCK_SEQPACKET message must fit the send buffer.  The peer grants a
 * 1 GiB window (SO_RCVBUFFORCE, session_rcvbuf), the sender has a 256 KiB
 * SO_SNDBUF: a 256 MiB message fails with EMSGSIZE at once and the
 * namespace's memory stays far under its limit; a 100 KiB message goes
 * through whole.  With net.stt.mem_max_kbytes at 256 on the sender, a
 * 200 KiB message (about 320 KiB of chunks) is EMSGSIZE too, while a
 * 100 KiB one still goes.
 */
TEST_F_TIMEOUT(pair, seqpacket_message_fits_sndbuf, 120)
{
	static unsigned char m[200 << 10], in[256 << 10];
	const size_t huge = 256 << 20;
	int big = 512 << 20, snd = 256 << 10, lfd, c, a;
	long long used, max;
	ssize_t n;
	void *h;

	close(self->srv);
	self->srv = -1;
	ASSERT_EQ(0, sysctl_in("stt-a", "session_rcvbuf", 1 << 30));
	ASSERT_EQ(0, stt_enter("stt-a"));
	lfd = stt_sock(SOCK_SEQPACKET);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, set_int(lfd, SOL_SOCKET, SO_RCVBUFFORCE, big));
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&self->srv_addr,
			  sizeof(self->srv_addr)));
	ASSERT_EQ(0, listen(lfd, 4));
	self->srv = lfd;
	ASSERT_EQ(0, stt_enter("stt-b"));

	c = stt_sock(SOCK_SEQPACKET);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, set_int(c, SOL_SOCKET, SO_SNDBUF, snd));
	ASSERT_EQ(0, do_connect(c, &self->srv_addr));
	a = accept(lfd, NULL, NULL);
	ASSERT_LE(0, a);

	/* Never touched: a kernel that copied it would read zero pages. */
	h = mmap(NULL, huge, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		 MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, h);
	n = send(c, h, huge, MSG_DONTWAIT);
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EMSGSIZE, errno);
	n = send(c, h, huge, 0);
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EMSGSIZE, errno);
	munmap(h, huge);
	used = mem_line("allocated_bytes", 0);
	max = mem_line("max_bytes", 0);
	TH_LOG("SO_SNDBUF %d; after the 256 MiB send: %lld of %lld bytes",
	       sock_int(c, SOL_SOCKET, SO_SNDBUF), used, max);
	EXPECT_GT(max, used);
	EXPECT_GE(1 << 20, used);

	fill(m, 100 << 10, 0, 5);
	ASSERT_EQ(100 << 10, send(c, m, 100 << 10, 0));
	EXPECT_EQ(100 << 10, recv(a, in, sizeof(in), 0));
	EXPECT_EQ(0, bad_bytes(in, 100 << 10, 0, 5));

	/* The namespace's limit bounds a message too. */
	ASSERT_EQ(0, write_sysctl("mem_max_kbytes", 256));
	fill(m, sizeof(m), 0, 6);
	EXPECT_EQ(-1, send(c, m, sizeof(m), MSG_DONTWAIT));
	EXPECT_EQ(EMSGSIZE, errno);
	ASSERT_EQ(100 << 10, send(c, m, 100 << 10, 0));
	EXPECT_EQ(100 << 10, recv(a, in, sizeof(in), 0));
	EXPECT_EQ(0, bad_bytes(in, 100 << 10, 0, 6));
	close(c);
	close(a);
}

#define SLOW_STREAMS	6

/* A writer that sends without blocking and waits for POLLOUT on EAGAIN. */
struct slow_writer {
	int fd;
	unsigned int seed;
	const int *stop;
	u64 sent;
	int eagain;
	int err;
};

static void *slow_write(void *arg)
{
	struct slow_writer *w = arg;
	unsigned char buf[16384];
	struct pollfd p = { .fd = w->fd, .events = POLLOUT };
	ssize_t n;

	while (!__atomic_load_n(w->stop, __ATOMIC_RELAXED)) {
		fill(buf, sizeof(buf), w->sent, w->seed);
		n = send(w->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			w->sent += n;
		} else if (errno == EAGAIN) {
			w->eagain++;
			poll(&p, 1, 200);
		} else {
			w->err = errno;
			break;
		}
	}
	shutdown(w->fd, SHUT_WR);
	return NULL;
}

/*
 * A reader that takes @bite bytes every 20 ms until told to hurry, then
 * drains.
 */
struct slow_reader {
	int fd;
	int bite;
	unsigned int seed;
	const int *hurry;
	u64 got;
	u64 bad;
	int err;
};

static void *slow_read(void *arg)
{
	struct slow_reader *r = arg;
	unsigned char buf[65536];
	ssize_t n;

	for (;;) {
		int fast = __atomic_load_n(r->hurry, __ATOMIC_RELAXED);

		n = recv(r->fd, buf, fast ? sizeof(buf) : r->bite, 0);
		if (n <= 0) {
			if (n < 0)
				r->err = errno;
			break;
		}
		r->bad += bad_bytes(buf, n, r->got, r->seed);
		r->got += n;
		if (!fast)
			usleep(20000);
	}
	return NULL;
}

/*
 * Slow readers and the namespace's memory bound: six streams whose writers
 * could queue 1 MiB each and whose readers take 4 KiB every 20 ms, with
 * net.stt.mem_max_kbytes at 4 MiB on both hosts.  The writers block
 * (EAGAIN, then POLLOUT), what either host has queued stays within the
 * bound (plus the one chunk a socket with nothing queued may always add),
 * and once the readers hurry every byte arrives.
 */
TEST_F_TIMEOUT(pair, slow_readers_stay_within_memory_bound, 300)
{
	static const char * const host[2] = { "stt-a", "stt-b" };
	struct slow_writer w[SLOW_STREAMS];
	struct slow_reader r[SLOW_STREAMS];
	pthread_t tw[SLOW_STREAMS], tr[SLOW_STREAMS];
	int c[SLOW_STREAMS], a[SLOW_STREAMS], stop = 0, hurry = 0, i, h;
	long long peak[2] = { 0, 0 }, max[2], used, end;
	int ms = 4000, bite = 4096, t;

	/*
	 * The debug kernel moves a few hundred KB/s: its readers take 256
	 * bytes a nap (77 KB/s in all), so that the link still outruns them
	 * and the writers are held back, and it has 25 s to get there.
	 */
	if (debug_kernel()) {
		ms = 25000;
		bite = 256;
	}
	for (h = 0; h < 2; h++) {
		ASSERT_EQ(0, sysctl_in(host[h], "mem_max_kbytes", 4096));
		max[h] = in_ns(host[h], mem_line, "max_bytes", 0);
		ASSERT_EQ(4096 << 10, max[h]);
	}
	for (i = 0; i < SLOW_STREAMS; i++) {
		c[i] = stt_sock(SOCK_STREAM);
		ASSERT_LE(0, c[i]);
		ASSERT_EQ(0, set_int(c[i], SOL_SOCKET, SO_SNDBUF, 1 << 20));
		ASSERT_EQ(0, do_connect(c[i], &self->srv_addr));
		a[i] = accept(self->srv, NULL, NULL);
		ASSERT_LE(0, a[i]);
		stall_guard(a[i]);
		w[i] = (struct slow_writer){ .fd = c[i], .seed = 40 + i,
					     .stop = &stop };
		r[i] = (struct slow_reader){ .fd = a[i], .seed = 40 + i, .bite = bite,
					     .hurry = &hurry };
		ASSERT_EQ(0, pthread_create(&tr[i], NULL, slow_read, &r[i]));
		ASSERT_EQ(0, pthread_create(&tw[i], NULL, slow_write, &w[i]));
	}
	/*
	 * By the clock, not by a count of 20 ms naps: with twelve busy threads
	 * on a debug kernel one nap and its two samples can take half a second.
	 */
	for (end = ms_now() + ms; ms_now() < end;) {
		usleep(20000);
		for (h = 0; h < 2; h++) {
			used = in_ns(host[h], mem_line, "allocated_bytes", 0);
			if (used > peak[h])
				peak[h] = used;
		}
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&hurry, 1, __ATOMIC_RELAXED);
	for (i = 0; i < SLOW_STREAMS; i++) {
		pthread_join(tw[i], NULL);
		pthread_join(tr[i], NULL);
	}
	TH_LOG("peak queued: receiver %lld, sender %lld bytes; bound %lld",
	       peak[0], peak[1], max[0]);
	TH_LOG("mem_pressure a %lld, b %lld; sndbuf_mem_blocked b %lld",
	       stat_in("stt-a", "mem_pressure"), stat_in("stt-b", "mem_pressure"),
	       stat_in("stt-b", "sndbuf_mem_blocked"));
	for (i = 0; i < SLOW_STREAMS; i++) {
		EXPECT_EQ(0, w[i].err);
		EXPECT_EQ(0, r[i].err);
		EXPECT_LT(0, w[i].eagain);
		EXPECT_EQ(w[i].sent, r[i].got);
		EXPECT_EQ(0, r[i].bad);
	}
	EXPECT_LT(0, stat_in("stt-b", "mem_pressure"));
	for (h = 0; h < 2; h++) {
		EXPECT_LT(0, peak[h]);
		EXPECT_GE(max[h] + SLOW_STREAMS * (64 << 10), peak[h]);
	}
	for (i = 0; i < SLOW_STREAMS; i++) {
		close(c[i]);
		close(a[i]);
	}
	/* Everything queued is given back, once the last ACKs are in. */
	for (h = 0; h < 2; h++) {
		for (t = 0; t < 100; t++) {
			used = in_ns(host[h], mem_line, "allocated_bytes", 0);
			if (!used)
				break;
			usleep(100000);
		}
		EXPECT_EQ(0, used);
	}
}

/* 2000 messages, 300 under the debug kernel. */
static int tiny_msgs = 2000;

/* Sends tiny_msgs one-byte messages, message i being the byte i & 0xff. */
static void *tiny_send(void *arg)
{
	int *fd = arg, i;
	unsigned char b;

	for (i = 0; i < tiny_msgs; i++) {
		b = i & 0xff;
		if (send(*fd, &b, 1, MSG_NOSIGNAL) != 1)
			return (void *)(long)errno;
	}
	return NULL;
}

/*
 * The receive bound against tiny frames: one-byte messages sent to a reader
 * that waits, on a stream whose window (SO_RCVBUF 8 KiB: 16 KiB) lets 16384
 * of them through.  Each would pin a packet's buffers, or 700 bytes copied
 * small: megabytes in all.  What the receiving host holds stays within the
 * socket's bound (three times sk_rcvbuf in order), the frames beyond it are
 * dropped unacknowledged (drop_rcvbuf), and once the reader reads every
 * message arrives, in order, sent again by the peer.
 */
TEST_F_TIMEOUT(pair, tiny_messages_stay_within_rcvbuf, 180)
{
	int rcvbuf = 8 << 10, c, a, lfd, i, ms = 1000;
	long long peak = 0, used, t0;
	unsigned char b;
	pthread_t th;
	void *err;

	if (variant->v6)
		SKIP(return, "the bound is the same over IPv6");
	if (debug_kernel()) {
		ms = 3000;
		tiny_msgs = 300;
	}
	/* A starved guest's clock may jump past the default 30 s. */
	ASSERT_EQ(0, sysctl_in("stt-b", "user_timeout_ms", 600000));
	close(self->srv);
	ASSERT_EQ(0, stt_enter("stt-a"));
	lfd = stt_sock(SOCK_SEQPACKET);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, set_int(lfd, SOL_SOCKET, SO_RCVBUF, rcvbuf));
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&self->srv_addr,
			  sizeof(self->srv_addr)));
	ASSERT_EQ(0, listen(lfd, 4));
	self->srv = lfd;
	ASSERT_EQ(0, stt_enter("stt-b"));
	c = open_stream(lfd, &self->srv_addr, SOCK_SEQPACKET, &a);
	ASSERT_LE(0, c);
	stall_guard(a);
	stall_guard(c);
	ASSERT_EQ(0, pthread_create(&th, NULL, tiny_send, &c));
	/*
	 * By the clock, not by samples (each enters the namespace): a reader
	 * stopped for user_timeout_ms would time the peer's session out.
	 */
	for (t0 = ms_now(); ms_now() - t0 < ms;) {
		usleep(20000);
		used = in_ns("stt-a", mem_line, "allocated_bytes", 0);
		if (used > peak)
			peak = used;
	}
	t0 = ms_now();
	for (i = 0; i < tiny_msgs; i++) {
		if (recv(a, &b, 1, 0) != 1 || b != (i & 0xff))
			break;
	}
	pthread_join(th, &err);
	TH_LOG("peak held %lld bytes (bound %d); drained in %lld ms",
	       peak, 5 * 2 * rcvbuf, ms_now() - t0);
	TH_LOG("drop_rcvbuf %lld data_collapsed %lld retransmits %lld",
	       stat_in("stt-a", "drop_rcvbuf"),
	       stat_in("stt-a", "data_collapsed"),
	       stat_in("stt-b", "retransmits"));
	EXPECT_EQ(NULL, err);
	EXPECT_EQ(tiny_msgs, i);
	EXPECT_LT(0, stat_in("stt-a", "drop_rcvbuf"));
	/* In order: three times sk_rcvbuf, plus the last chunk let in. */
	EXPECT_GE(3 * 2 * rcvbuf + 4096, peak);
	close(c);
	close(a);
}

#define SW_STREAMS	6

/*
 * The session window: with net.stt.session_rcvbuf at 256 KiB on the
 * receiver (which also caps each stream's window there) and six streams
 * whose readers wait, the streams' own windows would let 1.5 MiB through,
 * but the senders together get no further than the session's first window
 * (1 MiB): the scheduler stops at the session window.  Once the readers
 * read, WINDOW_UPDATE for stream 0 lets the rest through, and every byte
 * arrives.
 */
TEST_F_TIMEOUT(pair, session_window_holds_then_resumes, 300)
{
	const u64 each = 1 << 20, first = 1 << 20;
	struct xfer tx[SW_STREAMS], rx[SW_STREAMS];
	pthread_t ts[SW_STREAMS], tr[SW_STREAMS];
	int c[SW_STREAMS], a[SW_STREAMS], i, t;
	struct stt_info in;
	u64 queued = 0;

	ASSERT_EQ(0, sysctl_in("stt-a", "session_rcvbuf", 256 << 10));
	for (i = 0; i < SW_STREAMS; i++) {
		c[i] = open_stream(self->srv, &self->srv_addr, SOCK_STREAM,
				   &a[i]);
		ASSERT_LE(0, c[i]);
		stall_guard(a[i]);
		stall_guard(c[i]);
		tx[i] = (struct xfer){ .fd = c[i], .len = each, .seed = 60 + i,
				       .chunk = 65536, .shut = 1 };
		rx[i] = (struct xfer){ .fd = a[i], .seed = 60 + i,
				       .chunk = 65536 };
		ASSERT_EQ(0, pthread_create(&ts[i], NULL, sender, &tx[i]));
	}
	/* Wait until the scheduler stopped at the session window. */
	for (t = 0; t < 300 && stat_in("stt-b", "session_window_blocked") < 1; t++)
		usleep(100000);
	usleep(500000);
	for (i = 0; i < SW_STREAMS; i++) {
		ASSERT_EQ(0, stt_info(a[i], &in));
		queued += in.stti_rcv_queued;
	}
	TH_LOG("unread on all streams: %llu bytes; session_window_blocked %lld",
	       queued, stat_in("stt-b", "session_window_blocked"));
	EXPECT_LT(0, stat_in("stt-b", "session_window_blocked"));
	EXPECT_GE(first, queued);
	EXPECT_LT(first / 2, queued);

	for (i = 0; i < SW_STREAMS; i++)
		ASSERT_EQ(0, pthread_create(&tr[i], NULL, receiver, &rx[i]));
	for (i = 0; i < SW_STREAMS; i++) {
		pthread_join(ts[i], NULL);
		pthread_join(tr[i], NULL);
		EXPECT_EQ(0, tx[i].err);
		EXPECT_EQ(0, rx[i].err);
		EXPECT_EQ(each, rx[i].len);
		EXPECT_EQ(0, rx[i].bad);
		EXPECT_EQ(0, memcmp(tx[i].sha, rx[i].sha, 32));
	}
	EXPECT_LT(0, stat_in("stt-a", "session_window_updates_out"));
	EXPECT_EQ(0, stat_in("stt-a", "drop_session_flow"));
	for (i = 0; i < SW_STREAMS; i++) {
		close(c[i]);
		close(a[i]);
	}
}

/* One host pair, IPv4 only: for the long transfer. */
FIXTURE(bulk) {
	int srv;
	struct sockaddr_stt srv_addr;
};

FIXTURE_VARIANT(bulk) {
	int v6;
};

FIXTURE_VARIANT_ADD(bulk, ipv4) { .v6 = 0 };

FIXTURE_SETUP(bulk)
{
	ASSERT_EQ(0, stt_hosts_up());
	self->srv_addr = variant->v6 ? stt_addr6(STT_A6, PORT, 0) :
				       stt_addr4(STT_A4, PORT, 0);
	ASSERT_EQ(0, stt_enter("stt-a"));
	self->srv = listener(&self->srv_addr, SOCK_STREAM);
	ASSERT_LE(0, self->srv);
	ASSERT_EQ(0, stt_enter("stt-b"));
}

FIXTURE_TEARDOWN(bulk)
{
	close(self->srv);
	stt_hosts_down();
}

/*
 * 100 MiB over one stream: every byte checked against the pattern, and the
 * SHA-256 of what was received equals that of the stream the sender made
 * (whose bytes as sent, by their hash, are the ones received).
 */
TEST_F_TIMEOUT(bulk, transfer_100mb_checksum, 900)
{
	static const unsigned char abc_sha[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
		0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
		0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	struct xfer tx = { .len = 100 << 20, .seed = 11, .chunk = 1 << 16 };
	struct xfer rx = { .seed = 11, .chunk = 1 << 16 };
	unsigned char d[32];
	struct sha256 sc;
	pthread_t t, r;
	double t0, secs;
	int c, a;

	/* 100 MiB took 374 s under the debug kernel: 16 MiB there. */
	if (debug_kernel())
		tx.len = 16 << 20;
	/* The checksum itself is right: SHA-256("abc"). */
	sha256_init(&sc);
	sha256_update(&sc, "abc", 3);
	sha256_final(&sc, d);
	ASSERT_EQ(0, memcmp(d, abc_sha, 32));

	c = open_stream(self->srv, &self->srv_addr, SOCK_STREAM, &a);
	ASSERT_LE(0, c);
	stall_guard(a);
	stall_guard(c);
	tx.fd = c;
	rx.fd = a;
	t0 = now();
	ASSERT_EQ(0, pthread_create(&r, NULL, receiver, &rx));
	ASSERT_EQ(0, pthread_create(&t, NULL, sender, &tx));
	pthread_join(t, NULL);
	EXPECT_EQ(0, tx.err) {
		log_io(_metadata);
	}
	EXPECT_EQ(0, shutdown(c, SHUT_WR));
	pthread_join(r, NULL);
	secs = now() - t0;
	EXPECT_EQ(0, rx.err);
	EXPECT_EQ(tx.len, rx.len) {
		log_io(_metadata);
	}
	EXPECT_EQ(0, rx.bad);
	EXPECT_EQ(0, memcmp(tx.sha, rx.sha, 32));
	sha256_stream(tx.len, tx.seed, d);
	EXPECT_EQ(0, memcmp(d, rx.sha, 32));
	TH_LOG("%llu MiB in %.1f s: %.1f MB/s", tx.len >> 20, secs,
	       rx.len / secs / 1e6);
	ksft_print_msg("transfer_100mb_checksum: %.1f MB/s\n",
		       rx.len / secs / 1e6);
	close(c);
	close(a);
}

TEST_HARNESS_MAIN
