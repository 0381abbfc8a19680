// SPDX-License-Identifier: GPL-2.0
/*
 * Streams as sockets between two hosts (namespaces stt-a and stt-b joined by
 * veth), over IPv4 and IPv6: opening and accepting, names and labels, data in
 * order and message boundaries, a 50 MB transfer across key updates checked
 * byte by byte, the end of a stream, resets, the stream limit, both peers
 * opening streams on one session, and the same ids at once over a jittered
 * path, coalescing and corking, timeouts and poll.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <sys/resource.h>

#include "kselftest_harness.h"
#include "pair.h"

/* The seed's example: three sends arrive in order, as they were sent. */
TEST_F_TIMEOUT(pair, first_second_third, 120)
{
	static const char * const words[] = { "First", "Second", "Third" };
	int lfd, c, a, i;
	char buf[64];
	ssize_t n;

	/* Messages keep their boundaries. */
	ASSERT_EQ(0, stt_enter("stt-a"));
	lfd = listener(&self->srv_addr, SOCK_SEQPACKET);
	ASSERT_EQ(-1, lfd);	/* the address has its listener */
	ASSERT_EQ(0, stt_enter("stt-b"));
	close(self->srv);
	ASSERT_EQ(0, stt_enter("stt-a"));
	self->srv = listener(&self->srv_addr, SOCK_SEQPACKET);
	ASSERT_LE(0, self->srv);
	ASSERT_EQ(0, stt_enter("stt-b"));

	c = open_stream(self->srv, &self->srv_addr, SOCK_SEQPACKET, &a);
	ASSERT_LE(0, c);
	for (i = 0; i < 3; i++)
		ASSERT_EQ((ssize_t)strlen(words[i]),
			  send(c, words[i], strlen(words[i]), 0));
	for (i = 0; i < 3; i++) {
		n = recv(a, buf, sizeof(buf), 0);
		ASSERT_EQ((ssize_t)strlen(words[i]), n);
		ASSERT_EQ(0, memcmp(buf, words[i], n));
	}
	close(c);
	close(a);

	/* A byte stream keeps the order. */
	close(self->srv);
	ASSERT_EQ(0, stt_enter("stt-a"));
	self->srv = listener(&self->srv_addr, SOCK_STREAM);
	ASSERT_EQ(0, stt_enter("stt-b"));
	c = open_stream(self->srv, &self->srv_addr, SOCK_STREAM, &a);
	ASSERT_LE(0, c);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, write_full(c, words[i], strlen(words[i])));
	ASSERT_EQ(0, read_full(a, buf, 16));
	ASSERT_EQ(0, memcmp(buf, "FirstSecondThird", 16));
	close(c);
	close(a);
}

/* Names on both ends: the same stream, crossed session ids, the label. */
TEST_F_TIMEOUT(pair, names_and_label, 120)
{
	struct sockaddr_stt cn, cp, an, ap;
	socklen_t len = sizeof(cn);
	static const char label[] = "video_transfer";
	char got[STT_LABEL_MAX + 8];
	char big[STT_LABEL_MAX + 1] = { 0 };
	int c = stt_sock(SOCK_STREAM), a;
	socklen_t glen = sizeof(got);

	ASSERT_LE(0, c);
	EXPECT_EQ(-1, setsockopt(c, SOL_STT, STT_LABEL, big, sizeof(big)));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, setsockopt(c, SOL_STT, STT_LABEL, label, strlen(label)));
	ASSERT_EQ(0, do_connect(c, &self->srv_addr));
	EXPECT_EQ(-1, setsockopt(c, SOL_STT, STT_LABEL, label, 1));
	EXPECT_EQ(EISCONN, errno);
	a = accept(self->srv, NULL, NULL);
	ASSERT_LE(0, a);

	ASSERT_EQ(0, getsockname(c, (struct sockaddr *)&cn, &len));
	ASSERT_EQ(0, getpeername(c, (struct sockaddr *)&cp, &len));
	ASSERT_EQ(0, getsockname(a, (struct sockaddr *)&an, &len));
	ASSERT_EQ(0, getpeername(a, (struct sockaddr *)&ap, &len));
	EXPECT_EQ(1, cn.sstt_stream & 1);	/* the client opens odd ids */
	EXPECT_EQ(cn.sstt_stream, cp.sstt_stream);
	EXPECT_EQ(cn.sstt_stream, an.sstt_stream);
	EXPECT_EQ(an.sstt_stream, ap.sstt_stream);
	EXPECT_EQ(cn.sstt_session, ap.sstt_session);
	EXPECT_EQ(an.sstt_session, cp.sstt_session);
	EXPECT_EQ(self->srv_addr.sstt_port, cp.sstt_port);
	EXPECT_EQ(cn.sstt_port, ap.sstt_port);
	EXPECT_EQ(0, memcmp(&cn.sstt_addr, &ap.sstt_addr,
			    variant->v6 ? 16 : 4));

	ASSERT_EQ(0, getsockopt(a, SOL_STT, STT_LABEL, got, &glen));
	EXPECT_EQ(strlen(label), glen);
	EXPECT_EQ(0, memcmp(got, label, glen));
	close(c);
	close(a);
}

/* An id asked for is given, and an id in use is refused. */
TEST_F_TIMEOUT(pair, stream_id_asked_for, 120)
{
	struct sockaddr_stt to = self->srv_addr, n;
	socklen_t len = sizeof(n);
	int c1 = stt_sock(SOCK_STREAM), c2 = stt_sock(SOCK_STREAM), a;

	to.sstt_stream = 42;
	ASSERT_EQ(0, do_connect(c1, &to));
	ASSERT_EQ(0, getsockname(c1, (struct sockaddr *)&n, &len));
	EXPECT_EQ(42, n.sstt_stream);
	EXPECT_EQ(EADDRINUSE, do_connect(c2, &to));
	a = accept(self->srv, NULL, NULL);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, getsockname(a, (struct sockaddr *)&n, &len));
	EXPECT_EQ(42, n.sstt_stream);
	/* The refused socket can connect again. */
	to.sstt_stream = 0;
	EXPECT_EQ(0, do_connect(c2, &to));
	close(c1);
	close(c2);
	close(a);
}

/*
 * 50 MB in one stream while the keys change every 4 MiB: every byte arrives,
 * in order, and nothing was dropped.  The debug kernel moves 12 MiB with a
 * key change every MiB: as many key changes, a quarter of the time.
 */
TEST_F_TIMEOUT(pair, transfer_50mb_across_rekeys, 600)
{
	struct xfer tx = { .len = 50 << 20, .seed = 1, .chunk = 65536 };
	struct xfer rx = { .seed = 1, .chunk = 65536 };
	int c, a, every = 4;
	pthread_t t, r;

	if (debug_kernel()) {
		tx.len = 12 << 20;
		every = 1;
	}
	ASSERT_EQ(0, sysctl_in("stt-a", "rekey_after_mbytes", every));
	ASSERT_EQ(0, sysctl_in("stt-b", "rekey_after_mbytes", every));
	c = open_stream(self->srv, &self->srv_addr, SOCK_STREAM, &a);
	ASSERT_LE(0, c);
	tx.fd = c;
	rx.fd = a;
	stall_guard(a);
	stall_guard(c);
	ASSERT_EQ(0, pthread_create(&t, NULL, sender, &tx));
	ASSERT_EQ(0, pthread_create(&r, NULL, receiver, &rx));
	pthread_join(t, NULL);
	EXPECT_EQ(0, tx.err) {
		log_drops(_metadata);
	}
	EXPECT_EQ(0, shutdown(c, SHUT_WR));
	pthread_join(r, NULL);
	EXPECT_EQ(0, rx.err);
	EXPECT_EQ(tx.len, rx.len) {
		log_drops(_metadata);
	}
	EXPECT_EQ(0, rx.bad);
	EXPECT_EQ(0, memcmp(tx.sha, rx.sha, 32));
	EXPECT_LE(10, stt_stat("rekeys"));
	EXPECT_EQ(0, stat_in("stt-a", "drop_auth"));
	EXPECT_EQ(0, stat_in("stt-a", "drop_key_phase"));
	EXPECT_EQ(0, stat_in("stt-a", "drop_replay"));
	close(c);
	close(a);
}

/* shutdown(SHUT_WR): the peer reads the rest, then 0, and sees RDHUP. */
TEST_F_TIMEOUT(pair, end_of_stream, 120)
{
	struct pollfd p;
	char buf[16];
	int c, a;

	c = open_stream(self->srv, &self->srv_addr, SOCK_STREAM, &a);
	ASSERT_LE(0, c);
	ASSERT_EQ(5, send(c, "hello", 5, 0));
	ASSERT_EQ(0, shutdown(c, SHUT_WR));
	EXPECT_EQ(-1, send(c, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	ASSERT_EQ(0, read_full(a, buf, 5));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(0, recv(a, buf, sizeof(buf), 0));
	p = (struct pollfd){ .fd = a, .events = POLLIN | POLLRDHUP | POLLOUT };
	ASSERT_EQ(1, poll(&p, 1, 1000));
	EXPECT_EQ(POLLIN | POLLRDHUP | POLLOUT, p.revents);
	/* The other direction still works. */
	ASSERT_EQ(3, send(a, "bye", 3, 0));
	ASSERT_EQ(0, read_full(c, buf, 3));
	close(a);
	EXPECT_EQ(0, recv(c, buf, sizeof(buf), 0));
	close(c);
}

/* An abort (SO_LINGER 0) resets the stream: EPIPE and SIGPIPE on send. */
TEST_F_TIMEOUT(pair, reset_gives_epipe, 120)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct pollfd p;
	char buf[8];
	int c, a;

	c = open_stream(self->srv, &self->srv_addr, SOCK_STREAM, &a);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, setsockopt(a, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	close(a);
	p = (struct pollfd){ .fd = c, .events = POLLIN };
	ASSERT_EQ(1, poll(&p, 1, 5000));
	EXPECT_TRUE(p.revents & POLLERR);
	EXPECT_TRUE(p.revents & POLLHUP);
	signal(SIGPIPE, SIG_IGN);
	EXPECT_EQ(-1, send(c, "x", 1, 0));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(-1, recv(c, buf, sizeof(buf), 0));
	EXPECT_EQ(ECONNRESET, errno);
	signal(SIGPIPE, SIG_DFL);
	EXPECT_EQ(1, stat_in("stt-a", "streams_reset_out"));
	EXPECT_EQ(1, stt_stat("streams_reset_in"));
	close(c);
}

/* Receive timeout: an RPC request, its response, then a timeout. */
TEST_F_TIMEOUT(pair, rpc_with_receive_timeout, 120)
{
	struct timeval tv = { .tv_usec = 200000 };
	struct timespec t0, t1;
	char buf[64];
	int c, a;
	double dt;

	c = open_stream(self->srv, &self->srv_addr, SOCK_SEQPACKET, &a);
	ASSERT_EQ(-1, c);	/* the listener is SOCK_STREAM: EPROTOTYPE */
	EXPECT_EQ(EPROTOTYPE, errno);

	c = open_stream(self->srv, &self->srv_addr, SOCK_STREAM, &a);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	ASSERT_EQ(18, send(c, "Request: GET /file", 18, 0));
	ASSERT_EQ(0, read_full(a, buf, 18));
	ASSERT_EQ(25, send(a, "Response: Here's the file", 25, 0));
	ASSERT_EQ(0, read_full(c, buf, 25));
	EXPECT_EQ(0, memcmp(buf, "Response", 8));

	clock_gettime(CLOCK_MONOTONIC, &t0);
	EXPECT_EQ(-1, recv(c, buf, sizeof(buf), 0));
	EXPECT_EQ(EAGAIN, errno);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	dt = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	EXPECT_LE(0.19, dt);
	EXPECT_GE(5.0, dt);
	EXPECT_EQ(-1, recv(c, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	close(c);
	close(a);
}

/* MSG_PEEK leaves the data; MSG_WAITALL waits for all of it. */
TEST_F_TIMEOUT(pair, peek_and_waitall, 120)
{
	char buf[32];
	int c, a;

	c = open_stream(self->srv, &self->srv_addr, SOCK_STREAM, &a);
	ASSERT_LE(0, c);
	ASSERT_EQ(6, send(c, "abcdef", 6, 0));
	ASSERT_EQ(0, read_full(a, buf, 1));
	EXPECT_EQ(3, recv(a, buf, 3, MSG_PEEK | MSG_WAITALL));
	EXPECT_EQ(0, memcmp(buf, "bcd", 3));
	EXPECT_EQ(5, recv(a, buf, 5, 0));
	EXPECT_EQ(0, memcmp(buf, "bcdef", 5));
	ASSERT_EQ(2, send(c, "gh", 2, 0));
	ASSERT_EQ(2, send(c, "ij", 2, 0));
	EXPECT_EQ(4, recv(a, buf, 4, MSG_WAITALL));
	EXPECT_EQ(0, memcmp(buf, "ghij", 4));
	close(c);
	close(a);
}

static u64 frames_sent(int fd)
{
	struct stt_info info;
	socklen_t len = sizeof(info);

	if (getsockopt(fd, SOL_STT, STT_INFO, &info, &len) ||
	    info.stti_version != STT_INFO_VERSION)
		return ~0ULL;
	return info.stti_frames_sent;
}

/* Cork and MSG_MORE coalesce short writes until the flush; NODELAY does not. */
TEST_F_TIMEOUT(pair, cork_more_and_nodelay, 120)
{
	int one = 1, zero = 0, c, a, i;
	char buf[16];

	c = open_stream(self->srv, &self->srv_addr, SOCK_STREAM, &a);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, setsockopt(c, SOL_STT, STT_CORK, &one, sizeof(one)));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(2, send(c, "ab", 2, 0));
	EXPECT_EQ(0, frames_sent(c));
	EXPECT_EQ(-1, recv(a, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(0, setsockopt(c, SOL_STT, STT_CORK, &zero, sizeof(zero)));
	ASSERT_EQ(0, read_full(a, buf, 8));
	EXPECT_EQ(1, frames_sent(c));

	ASSERT_EQ(2, send(c, "cd", 2, MSG_MORE));
	ASSERT_EQ(2, send(c, "ef", 2, MSG_MORE));
	EXPECT_EQ(1, frames_sent(c));
	ASSERT_EQ(2, send(c, "gh", 2, 0));
	ASSERT_EQ(0, read_full(a, buf, 6));
	EXPECT_EQ(0, memcmp(buf, "cdefgh", 6));
	EXPECT_EQ(2, frames_sent(c));

	ASSERT_EQ(0, setsockopt(c, SOL_STT, STT_NODELAY, &one, sizeof(one)));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(1, send(c, "x", 1, 0));
	ASSERT_EQ(0, read_full(a, buf, 3));
	EXPECT_EQ(5, frames_sent(c));
	close(c);
	close(a);
}

/*
 * The stream limit: with 256 streams open (the default), the 257th is
 * refused with ENOSR; once one closes, it opens.
 */
TEST_F_TIMEOUT(pair, stream_257_refused_then_accepted, 600)
{
	int c[257], a[257], i, extra;
	struct rlimit rl = { 2048, 2048 };

	setrlimit(RLIMIT_NOFILE, &rl);
	for (i = 0; i < 256; i++) {
		c[i] = open_stream(self->srv, &self->srv_addr, SOCK_STREAM, &a[i]);
		ASSERT_LE(0, c[i]) {
			TH_LOG("stream %d: %s", i + 1, strerror(errno));
		}
	}
	extra = stt_sock(SOCK_STREAM);
	EXPECT_EQ(ENOSR, do_connect(extra, &self->srv_addr));
	close(c[0]);
	close(a[0]);
	EXPECT_EQ(0, do_connect(extra, &self->srv_addr));
	a[0] = accept(self->srv, NULL, NULL);
	EXPECT_LE(0, a[0]);
	EXPECT_EQ(1, stt_stat("handshakes_completed"));
	close(extra);
	for (i = 0; i < 256; i++) {
		if (i)
			close(c[i]);
		close(a[i]);
	}
}

/* A per-socket limit below the sysctl, and sysctls that refuse bad values. */
TEST_F_TIMEOUT(pair, limits_and_sysctls, 120)
{
	int two = 2, c1, c2, c3, a1, a2, v;
	socklen_t len = sizeof(v);

	c1 = stt_sock(SOCK_STREAM);
	ASSERT_EQ(0, setsockopt(c1, SOL_STT, STT_MAX_STREAMS, &two, sizeof(two)));
	ASSERT_EQ(0, getsockopt(c1, SOL_STT, STT_MAX_STREAMS, &v, &len));
	EXPECT_EQ(2, v);
	ASSERT_EQ(0, do_connect(c1, &self->srv_addr));
	c2 = stt_sock(SOCK_STREAM);
	ASSERT_EQ(0, setsockopt(c2, SOL_STT, STT_MAX_STREAMS, &two, sizeof(two)));
	ASSERT_EQ(0, do_connect(c2, &self->srv_addr));
	c3 = stt_sock(SOCK_STREAM);
	ASSERT_EQ(0, setsockopt(c3, SOL_STT, STT_MAX_STREAMS, &two, sizeof(two)));
	EXPECT_EQ(ENOSR, do_connect(c3, &self->srv_addr));
	a1 = accept(self->srv, NULL, NULL);
	a2 = accept(self->srv, NULL, NULL);
	close(c1);
	close(a1);
	EXPECT_EQ(0, do_connect(c3, &self->srv_addr));

	EXPECT_EQ(-EINVAL, write_sysctl("max_frame", 512));
	EXPECT_EQ(-EINVAL, write_sysctl("max_frame", 65536));
	EXPECT_EQ(-EINVAL, write_sysctl("stream_rcvbuf", 0));
	EXPECT_EQ(-EINVAL, write_sysctl("max_concurrent_streams", 0));
	EXPECT_EQ(-EINVAL, write_sysctl("mem_max_kbytes", 255));
	EXPECT_EQ(-EINVAL, write_sysctl("mem_max_kbytes", 2147483648L));
	EXPECT_EQ(-EINVAL, write_sysctl("session_rcvbuf", 65535));
	EXPECT_EQ(-EINVAL, write_sysctl("session_rcvbuf", (1L << 30) + 1));
	EXPECT_EQ(-EINVAL, write_sysctl("udp_checksum", 2));
	EXPECT_EQ(-EINVAL, write_sysctl("udp_checksum", -1));
	EXPECT_EQ(0, write_sysctl("max_frame", 4096));
	v = 100;
	EXPECT_EQ(-1, setsockopt(c3, SOL_STT, STT_MAX_FRAME, &v, sizeof(v)));
	EXPECT_EQ(EINVAL, errno);
	v = 8;
	EXPECT_EQ(-1, setsockopt(c3, SOL_STT, STT_PRIORITY, &v, sizeof(v)));
	EXPECT_EQ(EINVAL, errno);
	close(c2);
	close(c3);
	close(a2);
}

/* A string sysctl of this namespace: 0, or -errno. */
static int sysctl_str(const char *name, const char *val, char *out, size_t n)
{
	char path[128];
	ssize_t got;
	int fd, rc = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/stt/%s", name);
	fd = open(path, val ? O_WRONLY : O_RDONLY);
	if (fd < 0)
		return -errno;
	if (val) {
		if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
			rc = -errno;
	} else {
		got = read(fd, out, n - 1);
		if (got < 0)
			rc = -errno;
		else
			out[got] = '\0';
	}
	close(fd);
	return rc;
}

static int get_cc(int fd, char *name)
{
	socklen_t len = STT_CONGESTION_NAME_MAX;

	memset(name, 'x', STT_CONGESTION_NAME_MAX);
	return getsockopt(fd, SOL_STT, STT_CONGESTION, name, &len) ? -errno :
	       (int)len;
}

static int info_of(int fd, struct stt_info *info)
{
	socklen_t len = sizeof(*info);

	memset(info, 0xff, sizeof(*info));
	return getsockopt(fd, SOL_STT, STT_INFO, info, &len) ? -errno :
	       (int)len;
}

/*
 * The congestion controller: the sysctl's default (newreno) for a new socket,
 * chosen per socket by name before connect(), the session's once connected
 * (a session joined keeps its own), each node's session its own socket's,
 * and STT_INFO reporting it.
 */
TEST_F_TIMEOUT(pair, congestion_control, 120)
{
	char name[STT_CONGESTION_NAME_MAX], buf[64];
	static const char longname[] = "cubiccubiccubiccubic";
	struct stt_info info;
	int c, c2, a, a2;
	socklen_t len;

	ASSERT_EQ(0, sysctl_str("congestion_control", NULL, buf, sizeof(buf)));
	EXPECT_STREQ("newreno\n", buf);
	ASSERT_EQ(0, sysctl_str("available_congestion_control", NULL, buf,
				sizeof(buf)));
	EXPECT_STREQ("newreno cubic\n", buf);
	EXPECT_EQ(-ENOENT, sysctl_str("congestion_control", "reno", NULL, 0));
	EXPECT_EQ(-EACCES, sysctl_str("available_congestion_control", "newreno",
				      NULL, 0));
	c = stt_sock(SOCK_STREAM);
	ASSERT_LE(0, c);
	EXPECT_EQ(STT_CONGESTION_NAME_MAX, get_cc(c, name));
	EXPECT_STREQ("newreno", name);

	/* The sysctl sets the default of sockets made afterwards. */
	ASSERT_EQ(0, sysctl_str("congestion_control", "cubic\n", NULL, 0));
	ASSERT_EQ(0, sysctl_str("congestion_control", NULL, buf, sizeof(buf)));
	EXPECT_STREQ("cubic\n", buf);
	EXPECT_EQ(STT_CONGESTION_NAME_MAX, get_cc(c, name));
	EXPECT_STREQ("newreno", name);
	c2 = stt_sock(SOCK_STREAM);
	ASSERT_LE(0, c2);
	EXPECT_EQ(STT_CONGESTION_NAME_MAX, get_cc(c2, name));
	EXPECT_STREQ("cubic", name);
	ASSERT_LT(0, info_of(c2, &info));
	EXPECT_EQ(STT_CONGESTION_CUBIC, info.stti_congestion);
	EXPECT_EQ(0, info.stti_cc_phase);

	/* Per socket, by name, with or without its NUL. */
	EXPECT_EQ(0, setsockopt(c, SOL_STT, STT_CONGESTION, "cubic", 5));
	EXPECT_EQ(STT_CONGESTION_NAME_MAX, get_cc(c, name));
	EXPECT_STREQ("cubic", name);
	EXPECT_EQ(0, setsockopt(c2, SOL_STT, STT_CONGESTION, "newreno", 8));
	EXPECT_EQ(-1, setsockopt(c, SOL_STT, STT_CONGESTION, "bbr", 3));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, setsockopt(c, SOL_STT, STT_CONGESTION, longname,
				 sizeof(longname)));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, setsockopt(c, SOL_STT, STT_CONGESTION, "newreno", 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(STT_CONGESTION_NAME_MAX, get_cc(c, name));
	EXPECT_STREQ("cubic", name);

	/* connect() makes the session with the socket's: then it is fixed. */
	ASSERT_EQ(0, do_connect(c, &self->srv_addr));
	a = accept(self->srv, NULL, NULL);
	ASSERT_LE(0, a);
	EXPECT_EQ(-1, setsockopt(c, SOL_STT, STT_CONGESTION, "newreno", 7));
	EXPECT_EQ(EISCONN, errno);
	ASSERT_EQ(sizeof(info), info_of(c, &info));
	EXPECT_EQ(STT_INFO_VERSION, info.stti_version);
	EXPECT_EQ(3, info.stti_version);
	EXPECT_EQ(STT_CONGESTION_CUBIC, info.stti_congestion);
	EXPECT_EQ(STT_CC_PHASE_SLOW_START, info.stti_cc_phase);
	EXPECT_EQ(0, info.stti_reserved2);
	EXPECT_EQ(0, info.stti_cc_w_max);
	/* The other node's session is its listener's: the default, newreno. */
	EXPECT_EQ(STT_CONGESTION_NAME_MAX, get_cc(a, name));
	EXPECT_STREQ("newreno", name);
	ASSERT_EQ(sizeof(info), info_of(a, &info));
	EXPECT_EQ(STT_CONGESTION_NEWRENO, info.stti_congestion);
	EXPECT_EQ(STT_CC_PHASE_SLOW_START, info.stti_cc_phase);

	/* A stream that joins the session gets the session's. */
	ASSERT_EQ(0, do_connect(c2, &self->srv_addr));
	a2 = accept(self->srv, NULL, NULL);
	ASSERT_LE(0, a2);
	EXPECT_EQ(STT_CONGESTION_NAME_MAX, get_cc(c2, name));
	EXPECT_STREQ("cubic", name);
	ASSERT_EQ(sizeof(info), info_of(c2, &info));
	EXPECT_EQ(STT_CONGESTION_CUBIC, info.stti_congestion);

	/* An old program's shorter struct gets what it asked for. */
	len = offsetof(struct stt_info, stti_congestion);
	ASSERT_EQ(0, getsockopt(c, SOL_STT, STT_INFO, &info, &len));
	EXPECT_EQ(offsetof(struct stt_info, stti_congestion), len);
	close(c);
	close(c2);
	close(a);
	close(a2);
}

/* Both peers open streams on the one session between them. */
TEST_F_TIMEOUT(pair, both_peers_open_streams, 120)
{
	struct sockaddr_stt n1, n2;
	socklen_t len = sizeof(n1);
	int lb, cb, ab, ca, aa;
	char buf[8];

	/* Host b listens on the address its client side uses too. */
	lb = listener(&self->b_addr, SOCK_STREAM);
	ASSERT_LE(0, lb);
	cb = stt_sock(SOCK_STREAM);
	ASSERT_EQ(0, bind(cb, (struct sockaddr *)&self->b_addr,
			  sizeof(self->b_addr)));
	ASSERT_EQ(0, do_connect(cb, &self->srv_addr));
	ab = accept(self->srv, NULL, NULL);
	ASSERT_LE(0, ab);

	/* Host a opens a stream back, without binding: the same session. */
	ASSERT_EQ(0, stt_enter("stt-a"));
	ca = stt_sock(SOCK_STREAM);
	ASSERT_EQ(0, do_connect(ca, &self->b_addr));
	ASSERT_EQ(0, stt_enter("stt-b"));
	aa = accept(lb, NULL, NULL);
	ASSERT_LE(0, aa);

	ASSERT_EQ(0, getsockname(cb, (struct sockaddr *)&n1, &len));
	ASSERT_EQ(0, getsockname(aa, (struct sockaddr *)&n2, &len));
	EXPECT_EQ(n1.sstt_session, n2.sstt_session);
	EXPECT_EQ(0, n2.sstt_stream & 1);	/* the server opens even ids */
	EXPECT_EQ(1, stt_stat("handshakes_completed"));
	EXPECT_EQ(0, stat_in("stt-a", "handshakes_started"));

	ASSERT_EQ(2, send(ca, "hi", 2, 0));
	ASSERT_EQ(0, read_full(aa, buf, 2));
	ASSERT_EQ(2, send(cb, "yo", 2, 0));
	ASSERT_EQ(0, read_full(ab, buf, 2));
	close(ca);
	close(aa);
	close(cb);
	close(ab);
	close(lb);
}

/*
 * Both nodes open the same 32 ids at once over a path that delays a to b by
 * 20 to 180 ms, reordering what it carries, and b to a by 150 ms.  The
 * client's streams win: the server's connect() fails with EADDRINUSE, and
 * the server's STREAM_OPENs, reaching the client late (after the answer to
 * the client's own), neither end a client stream nor open one on the client
 * (Documentation/wire.rst, "Which open a STREAM_OPEN is").
 */
#define SAME_IDS 32
#define SAME_ID0 1000

static int connect_nb(int fd, struct sockaddr_stt to, int id)
{
	to.sstt_stream = id;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return do_connect(fd, &to);
}

/* How a non-blocking connect() ended (its SO_ERROR), or -1 if not in 30 s. */
static int connect_end(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err = -1;

	if (poll(&p, 1, 30000) == 1)
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	return err;
}

/* a's opens, each right behind b's of the same id, however slow b is. */
struct same_ids {
	int fd[SAME_IDS];
	int err[SAME_IDS];
	struct sockaddr_stt to;
	int b_done;
};

static void *same_ids_a(void *arg)
{
	struct same_ids *x = arg;
	int i;

	for (i = 0; i < SAME_IDS; i++) {
		while (__atomic_load_n(&x->b_done, __ATOMIC_ACQUIRE) <= i)
			sched_yield();
		x->err[i] = connect_nb(x->fd[i], x->to, SAME_ID0 + i);
	}
	return NULL;
}

TEST_F_TIMEOUT(pair, both_nodes_open_the_same_ids, 120)
{
	struct same_ids a = { .to = self->b_addr };
	int c[SAME_IDS], acc[SAME_IDS], lb, cb, ab, i, n, wire = 0;
	unsigned char buf[4096], got[4096];
	struct timeval tmo = { .tv_sec = 20 };
	struct pollfd watch[2];
	struct sockaddr_stt nm;
	socklen_t len = sizeof(nm);
	unsigned int seen = 0;
	pthread_t th;
	long long t0;

	if (variant->v6)
		SKIP(return, "the same over IPv4 is enough");
	ASSERT_EQ(0, stt_netem("stt-a", "delay 100ms 80ms"));
	ASSERT_EQ(0, stt_netem("stt-b", "delay 150ms"));

	/* Host b is the session's client and accepts streams too. */
	lb = listener(&self->b_addr, SOCK_STREAM);
	ASSERT_LE(0, lb);
	cb = stt_sock(SOCK_STREAM);
	ASSERT_EQ(0, bind(cb, (struct sockaddr *)&self->b_addr,
			  sizeof(self->b_addr)));
	ASSERT_EQ(0, do_connect(cb, &self->srv_addr));
	ab = accept(self->srv, NULL, NULL);
	ASSERT_LE(0, ab);

	for (i = 0; i < SAME_IDS; i++) {
		c[i] = stt_sock(SOCK_STREAM);
		ASSERT_EQ(0, bind(c[i], (struct sockaddr *)&self->b_addr,
				  sizeof(self->b_addr)));
	}
	ASSERT_EQ(0, stt_enter("stt-a"));
	for (i = 0; i < SAME_IDS; i++)
		ASSERT_LE(0, a.fd[i] = stt_sock(SOCK_STREAM));
	ASSERT_EQ(0, stt_enter("stt-b"));

	/* Every id by b, and by a right behind: before b's open arrives. */
	t0 = ms_now();
	ASSERT_EQ(0, pthread_create(&th, NULL, same_ids_a, &a));
	for (i = 0; i < SAME_IDS; i++) {
		EXPECT_EQ(EINPROGRESS, connect_nb(c[i], self->srv_addr,
						  SAME_ID0 + i));
		__atomic_store_n(&a.b_done, i + 1, __ATOMIC_RELEASE);
	}
	pthread_join(th, NULL);
	for (i = 0; i < SAME_IDS; i++) {
		/* b's open may have arrived already: the id is in use. */
		EXPECT_TRUE(a.err[i] == EINPROGRESS || a.err[i] == EADDRINUSE);
		wire += a.err[i] == EINPROGRESS;
	}
	TH_LOG("64 opens in %lld ms; %d of a's went on the wire",
	       ms_now() - t0, wire);

	for (i = 0; i < SAME_IDS; i++) {
		EXPECT_EQ(0, connect_end(c[i])) TH_LOG("b's id %d", SAME_ID0 + i);
		if (a.err[i] == EINPROGRESS)
			a.err[i] = connect_end(a.fd[i]);
		EXPECT_EQ(EADDRINUSE, a.err[i]) TH_LOG("a's id %d", SAME_ID0 + i);
	}
	for (i = 0; i < SAME_IDS; i++) {
		watch[0] = (struct pollfd){ .fd = self->srv, .events = POLLIN };
		ASSERT_EQ(1, poll(watch, 1, 10000)) TH_LOG("accepted %d", i);
		acc[i] = accept(self->srv, NULL, NULL);
		ASSERT_LE(0, acc[i]);
		ASSERT_EQ(0, setsockopt(acc[i], SOL_SOCKET, SO_RCVTIMEO, &tmo,
					sizeof(tmo)));
		ASSERT_EQ(0, getsockname(acc[i], (struct sockaddr *)&nm, &len));
		n = nm.sstt_stream - SAME_ID0;
		ASSERT_TRUE(n >= 0 && n < SAME_IDS);
		seen |= 1u << n;
	}
	EXPECT_EQ(0xffffffffu, seen);

	/*
	 * The late copies of a's opens are on their way for 180 ms at most,
	 * a's retransmissions stop once b's opens arrived: no stream may
	 * appear on either side meanwhile, nor in a second more.
	 */
	watch[0] = (struct pollfd){ .fd = lb, .events = POLLIN };
	watch[1] = (struct pollfd){ .fd = self->srv, .events = POLLIN };
	ASSERT_EQ(0, stt_enter("stt-a"));
	EXPECT_EQ(0, poll(watch, 2, 1000));
	ASSERT_EQ(0, stt_enter("stt-b"));

	/* Each of b's streams carries its data, and its end. */
	for (i = 0; i < SAME_IDS; i++) {
		fill(buf, sizeof(buf), 0, SAME_ID0 + i);
		ASSERT_EQ(0, write_full(c[i], buf, sizeof(buf)))
			TH_LOG("b's id %d: %s", SAME_ID0 + i, strerror(errno));
		ASSERT_EQ(0, shutdown(c[i], SHUT_WR));
	}
	for (i = 0; i < SAME_IDS; i++) {
		ASSERT_EQ(0, getsockname(acc[i], (struct sockaddr *)&nm, &len));
		fill(buf, sizeof(buf), 0, nm.sstt_stream);
		n = read_full(acc[i], got, sizeof(got));
		EXPECT_EQ(0, n) {
			TH_LOG("a's end of id %d", nm.sstt_stream);
			log_info(_metadata, "a", acc[i]);
			log_drops(_metadata);
			break;
		}
		EXPECT_EQ(0, memcmp(buf, got, sizeof(got)));
		EXPECT_EQ(0, recv(acc[i], got, 1, 0));
	}
	watch[0] = (struct pollfd){ .fd = lb, .events = POLLIN };
	watch[1] = (struct pollfd){ .fd = self->srv, .events = POLLIN };
	EXPECT_EQ(0, poll(watch, 2, 0));
	TH_LOG("late STREAM_OPENs ignored: %lld on b, %lld on a",
	       stat_in("stt-b", "stream_open_stale"),
	       stat_in("stt-a", "stream_open_stale"));
	TH_LOG("STREAM_OPENs sent again: %lld by b, %lld by a",
	       stat_in("stt-b", "stream_open_retransmits"),
	       stat_in("stt-a", "stream_open_retransmits"));
	EXPECT_EQ(0, stat_in("stt-b", "streams_accepted"));
	EXPECT_EQ(0, stat_in("stt-b", "streams_reset_in"));
	EXPECT_EQ(0, stat_in("stt-a", "streams_reset_in"));
	EXPECT_EQ(0, stat_in("stt-b", "streams_reset_out"));
	EXPECT_EQ(0, stat_in("stt-a", "streams_reset_out"));

	for (i = 0; i < SAME_IDS; i++) {
		close(c[i]);
		close(a.fd[i]);
		close(acc[i]);
	}
	close(cb);
	close(ab);
	close(lb);
}

/*
 * Video, audio and chat streams with their own frame sizes run at once; one
 * closes early and the others keep flowing on the same session.
 */
TEST_F_TIMEOUT(pair, concurrent_streams_one_closes, 300)
{
	static const int frame[3] = { 16384, 4096, 1024 };
	u64 size[3] = { 8 << 20, 2 << 20, 256 << 10 };
	struct xfer tx[3], rx[3];
	pthread_t ts[3], tr[3];
	int c[3], a[3], i;

	for (i = 0; i < 3; i++) {
		/* A quarter of the bytes under the debug kernel. */
		if (debug_kernel())
			size[i] /= 4;
		c[i] = stt_sock(SOCK_STREAM);
		ASSERT_EQ(0, setsockopt(c[i], SOL_STT, STT_MAX_FRAME, &frame[i],
					sizeof(int)));
		ASSERT_EQ(0, do_connect(c[i], &self->srv_addr));
		a[i] = accept(self->srv, NULL, NULL);
		ASSERT_LE(0, a[i]);
		/* Each stream ends as soon as its own sender is done. */
		tx[i] = (struct xfer){ .fd = c[i], .len = size[i], .seed = 10 + i,
				       .chunk = 3000 + 1000 * i, .shut = i < 2 };
		rx[i] = (struct xfer){ .fd = a[i], .seed = 10 + i, .chunk = 8192 };
		stall_guard(a[i]);
		stall_guard(c[i]);
	}
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, pthread_create(&ts[i], NULL, sender, &tx[i]));
		ASSERT_EQ(0, pthread_create(&tr[i], NULL, receiver, &rx[i]));
	}
	/* Chat ends first; the others go on. */
	pthread_join(ts[2], NULL);
	close(c[2]);
	pthread_join(tr[2], NULL);
	close(a[2]);
	for (i = 0; i < 2; i++) {
		pthread_join(ts[i], NULL);
		pthread_join(tr[i], NULL);
	}
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(0, tx[i].err);
		EXPECT_EQ(0, rx[i].err) {
			TH_LOG("stream %d: %llu of %llu bytes", i,
			       (unsigned long long)rx[i].len,
			       (unsigned long long)size[i]);
			log_info(_metadata, "sender", c[i]);
			log_info(_metadata, "receiver", a[i]);
			log_drops(_metadata);
		}
		EXPECT_EQ(size[i], rx[i].len) {
			log_drops(_metadata);
		}
		EXPECT_EQ(0, rx[i].bad);
		EXPECT_EQ(0, memcmp(tx[i].sha, rx[i].sha, 32));
	}
	EXPECT_EQ(1, stt_stat("handshakes_completed"));
	for (i = 0; i < 2; i++) {
		close(c[i]);
		close(a[i]);
	}
}

/*
 * A SEQPACKET message is delivered whole or not at all: with the second
 * message half sent when the sender aborts, the reader gets the first one
 * and then the reset, never a part of the second.
 */
TEST_F_TIMEOUT(pair, seqpacket_never_partial, 120)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int rcvbuf = 64 << 10, c, a, lfd;
	static char m1[100 << 10], m2[100 << 10], buf[256 << 10];
	struct stt_info info;
	socklen_t len = sizeof(info);
	int tries;

	close(self->srv);
	ASSERT_EQ(0, stt_enter("stt-a"));
	lfd = stt_sock(SOCK_SEQPACKET);
	ASSERT_EQ(0, setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)));
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&self->srv_addr,
			  sizeof(self->srv_addr)));
	ASSERT_EQ(0, listen(lfd, 4));
	self->srv = lfd;
	ASSERT_EQ(0, stt_enter("stt-b"));

	c = open_stream(lfd, &self->srv_addr, SOCK_SEQPACKET, &a);
	ASSERT_LE(0, c);
	fill((unsigned char *)m1, sizeof(m1), 0, 3);
	fill((unsigned char *)m2, sizeof(m2), 0, 4);
	ASSERT_EQ((ssize_t)sizeof(m1), send(c, m1, sizeof(m1), 0));
	ASSERT_EQ((ssize_t)sizeof(m2), send(c, m2, sizeof(m2), 0));
	/* The window (2 x 64 KiB) holds m1 and the start of m2. */
	for (tries = 0; tries < 100; tries++) {
		ASSERT_EQ(0, getsockopt(a, SOL_STT, STT_INFO, &info, &len));
		if (info.stti_rcv_queued > sizeof(m1))
			break;
		usleep(20000);
	}
	EXPECT_LT(sizeof(m1), info.stti_rcv_queued);
	EXPECT_GT(sizeof(m1) + sizeof(m2), info.stti_rcv_queued);
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	close(c);

	ASSERT_EQ((ssize_t)sizeof(m1), recv(a, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, m1, sizeof(m1)));
	EXPECT_EQ(-1, recv(a, buf, sizeof(buf), 0));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(0, recv(a, buf, sizeof(buf), MSG_DONTWAIT));
	close(a);
}

TEST_HARNESS_MAIN
