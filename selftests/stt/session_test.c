// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions between two hosts (namespaces stt-a and stt-b joined by veth): the
 * handshake over IPv4 and IPv6 and what connect() reports for each way it can
 * end (success, a wrong key, nobody listening, nobody answering), with the
 * counters of /proc/net/stt/stats on both sides.
 */
#include <errno.h>
#include <time.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>

#include <poll.h>

#include "kselftest_harness.h"
#include "stt_test.h"
#include "netns.h"

#define PORT 7001

static const unsigned char key_a[STT_PSK_LEN] = { 0xa1, 0xa2, 0xa3 };
static const unsigned char key_b[STT_PSK_LEN] = { 0xb1, 0xb2, 0xb3 };

/* A counter of /proc/net/stt/stats in the calling thread's namespace. */
static long long stt_stat(const char *name)
{
	char line[128], key[64];
	long long v, found = -1;
	FILE *f = fopen("/proc/net/stt/stats", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld", key, &v) == 2 && !strcmp(key, name))
			found = v;
	fclose(f);
	return found;
}

static long long stat_in(const char *ns, const char *name)
{
	long long v;
	int back = open("/proc/self/ns/net", O_RDONLY);

	if (back < 0 || stt_enter(ns))
		return -1;
	v = stt_stat(name);
	setns(back, CLONE_NEWNET);
	close(back);
	return v;
}

static int stt_socket_key(const unsigned char *key)
{
	int fd = socket(AF_STT, SOCK_STREAM, 0);

	if (fd >= 0 && key && setsockopt(fd, SOL_STT, STT_PSK, key, STT_PSK_LEN)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int stt_sysctl(const char *ns, const char *name, int val)
{
	char path[128], buf[32];
	int back = open("/proc/self/ns/net", O_RDONLY), fd, n, rc = -1;

	if (back < 0 || stt_enter(ns))
		return -1;
	snprintf(path, sizeof(path), "/proc/sys/net/stt/%s", name);
	fd = open(path, O_WRONLY);
	if (fd >= 0) {
		n = snprintf(buf, sizeof(buf), "%d\n", val);
		rc = write(fd, buf, n) == n ? 0 : -1;
		close(fd);
	}
	setns(back, CLONE_NEWNET);
	close(back);
	return rc;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

FIXTURE(pair) {
	int srv;
	struct sockaddr_stt srv_addr;
};

FIXTURE_VARIANT(pair) {
	int v6;
};

FIXTURE_VARIANT_ADD(pair, ipv4) { .v6 = 0 };
FIXTURE_VARIANT_ADD(pair, ipv6) { .v6 = 1 };

FIXTURE_SETUP(pair)
{
	int both = STT_CIPHER_CHACHA20_POLY1305 | STT_CIPHER_AES_256_GCM;

	ASSERT_EQ(0, stt_hosts_up());
	self->srv_addr = variant->v6 ? stt_addr6(STT_A6, PORT, 0) :
				       stt_addr4(STT_A4, PORT, 0);
	ASSERT_EQ(0, stt_enter("stt-a"));
	self->srv = stt_socket_key(key_a);
	ASSERT_LE(0, self->srv);
	ASSERT_EQ(0, setsockopt(self->srv, SOL_STT, STT_CIPHER, &both, sizeof(both)));
	ASSERT_EQ(0, bind(self->srv, (struct sockaddr *)&self->srv_addr,
			  sizeof(self->srv_addr)));
	ASSERT_EQ(0, listen(self->srv, 16));
	ASSERT_EQ(0, stt_enter("stt-b"));
}

FIXTURE_TEARDOWN(pair)
{
	close(self->srv);
	stt_hosts_down();
}

static int do_connect(int fd, const struct sockaddr_stt *sa)
{
	return connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) ? errno : 0;
}

TEST_F_TIMEOUT(pair, handshake, 120)
{
	int fd = stt_socket_key(key_a);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, do_connect(fd, &self->srv_addr));
	EXPECT_EQ(EISCONN, do_connect(fd, &self->srv_addr));
	EXPECT_EQ(1, stt_stat("handshakes_started"));
	EXPECT_EQ(1, stt_stat("handshakes_completed"));
	EXPECT_EQ(1, stat_in("stt-a", "handshakes_accepted"));
	EXPECT_EQ(1, stat_in("stt-a", "handshakes_completed"));
	EXPECT_EQ(0, stat_in("stt-a", "drop_auth"));
	close(fd);
}

/* AES-256-GCM when the client asks for it and the listener accepts it. */
TEST_F_TIMEOUT(pair, aes_256_gcm, 120)
{
	int gcm = STT_CIPHER_AES_256_GCM;
	int fd = stt_socket_key(key_a);

	ASSERT_EQ(0, setsockopt(fd, SOL_STT, STT_CIPHER, &gcm, sizeof(gcm)));
	ASSERT_EQ(0, do_connect(fd, &self->srv_addr));
	EXPECT_EQ(1, stat_in("stt-a", "handshakes_completed"));
	close(fd);
}

/* A second stream to the same node rides on the same session. */
TEST_F_TIMEOUT(pair, session_is_shared, 120)
{
	int a = stt_socket_key(key_a), b = stt_socket_key(key_a);

	ASSERT_EQ(0, do_connect(a, &self->srv_addr));
	ASSERT_EQ(0, do_connect(b, &self->srv_addr));
	EXPECT_EQ(1, stt_stat("handshakes_started"));
	EXPECT_EQ(1, stat_in("stt-a", "handshakes_completed"));
	close(a);
	close(b);
}

TEST_F_TIMEOUT(pair, wrong_key, 120)
{
	int fd = stt_socket_key(key_b), ok;

	ASSERT_EQ(EKEYREJECTED, do_connect(fd, &self->srv_addr));
	EXPECT_EQ(1, stt_stat("handshakes_key_rejected"));
	close(fd);
	/* The server is unharmed: the right key still gets in. */
	ok = stt_socket_key(key_a);
	EXPECT_EQ(0, do_connect(ok, &self->srv_addr));
	close(ok);
}

TEST_F_TIMEOUT(pair, no_key, 60)
{
	int fd = stt_socket_key(NULL);

	EXPECT_EQ(ENOKEY, do_connect(fd, &self->srv_addr));
	close(fd);
}

/* Nothing on the port: the ICMP port unreachable ends connect() at once. */
TEST_F_TIMEOUT(pair, no_listener_port_closed, 60)
{
	struct sockaddr_stt sa = self->srv_addr;
	int fd = stt_socket_key(key_a);
	double t0 = now_s();

	sa.sstt_port = htons(PORT + 1);
	EXPECT_EQ(ECONNREFUSED, do_connect(fd, &sa));
	EXPECT_GT(2.0, now_s() - t0);
	EXPECT_EQ(1, stt_stat("handshakes_refused"));
	close(fd);
}

/* An STT endpoint that does not listen refuses with REJECT. */
TEST_F_TIMEOUT(pair, no_listener_endpoint, 60)
{
	struct sockaddr_stt sa = self->srv_addr;
	int bound, fd = stt_socket_key(key_a);
	long long refused;
	double t0;

	sa.sstt_port = htons(PORT + 2);
	ASSERT_EQ(0, stt_enter("stt-a"));
	bound = stt_socket_key(key_a);
	ASSERT_EQ(0, bind(bound, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, stt_enter("stt-b"));
	t0 = now_s();
	EXPECT_EQ(ECONNREFUSED, do_connect(fd, &sa));
	EXPECT_GT(2.0, now_s() - t0);
	/*
	 * Each HELLO that arrives gets its REJECT; a slow guest may have sent
	 * HELLO again before the first REJECT came back.
	 */
	refused = stat_in("stt-a", "handshakes_refused");
	EXPECT_LE(1, refused);
	EXPECT_GE(1 + stat_in("stt-b", "handshake_retransmits"), refused);
	close(bound);
	close(fd);
}

TEST_F_TIMEOUT(pair, no_answer, 60)
{
	int fd = stt_socket_key(key_a);
	double t0, took;

	ASSERT_EQ(0, stt_sysctl("stt-b", "handshake_timeout_ms", 1500));
	ASSERT_EQ(0, stt_netem("stt-a", "loss 100%"));
	t0 = now_s();
	EXPECT_EQ(ETIMEDOUT, do_connect(fd, &self->srv_addr));
	took = now_s() - t0;
	EXPECT_LE(1.4, took);
	EXPECT_GT(6.0, took);
	EXPECT_EQ(1, stt_stat("handshakes_timed_out"));
	EXPECT_LE(2, stt_stat("handshake_retransmits"));
	close(fd);
}

/* Send @len bytes to the server's STT port from a plain UDP socket. */
static int udp_inject(const struct sockaddr_stt *srv, const void *buf, size_t len)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd, rc;

	if (srv->sstt_addr_family == AF_INET) {
		sin.sin_port = srv->sstt_port;
		sin.sin_addr = srv->sstt_addr.v4;
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		rc = sendto(fd, buf, len, 0, (struct sockaddr *)&sin, sizeof(sin));
	} else {
		sin6.sin6_port = srv->sstt_port;
		sin6.sin6_addr = srv->sstt_addr.v6;
		fd = socket(AF_INET6, SOCK_DGRAM, 0);
		rc = sendto(fd, buf, len, 0, (struct sockaddr *)&sin6, sizeof(sin6));
	}
	close(fd);
	return rc == (int)len ? 0 : -1;
}

/* Wait (bounded) until counter @name in @ns reaches @want; returns its value. */
static long long stat_wait(const char *ns, const char *name, long long want)
{
	long long v = -1;
	int i;

	for (i = 0; i < 500; i++) {
		v = stat_in(ns, name);
		if (v >= want)
			break;
		usleep(20000);
	}
	return v;
}

/* A header: version, flags (type | key phase), reserved, session, number. */
static void hdr(unsigned char *b, int version, int flags, unsigned int session,
		unsigned long long pn)
{
	int i;

	b[0] = version;
	b[1] = flags;
	b[2] = 0;
	b[3] = 0;
	for (i = 0; i < 4; i++)
		b[4 + i] = session >> (24 - 8 * i);
	for (i = 0; i < 8; i++)
		b[8 + i] = pn >> (56 - 8 * i);
}

/*
 * Bad datagrams from anyone are dropped, each under its own counter, and the
 * session they aim at keeps working.
 */
TEST_F_TIMEOUT(pair, bad_datagrams_are_counted, 120)
{
	struct sockaddr_stt peer;
	socklen_t len = sizeof(peer);
	unsigned char b[300];
	int fd = stt_socket_key(key_a), again;

	ASSERT_EQ(0, do_connect(fd, &self->srv_addr));
	ASSERT_EQ(0, getpeername(fd, (struct sockaddr *)&peer, &len));
	ASSERT_NE(0, peer.sstt_session);
	memset(b, 0x5a, sizeof(b));

	ASSERT_EQ(0, udp_inject(&self->srv_addr, b, 9));
	EXPECT_EQ(1, stat_wait("stt-a", "drop_truncated", 1));

	hdr(b, 2, 2, peer.sstt_session, 1);
	ASSERT_EQ(0, udp_inject(&self->srv_addr, b, 64));
	EXPECT_EQ(1, stat_wait("stt-a", "drop_version", 1));

	hdr(b, 1, 9, peer.sstt_session, 1);
	ASSERT_EQ(0, udp_inject(&self->srv_addr, b, 64));
	EXPECT_EQ(1, stat_wait("stt-a", "drop_header", 1));

	hdr(b, 1, 2, peer.sstt_session ^ 0x80000000u, 1);
	ASSERT_EQ(0, udp_inject(&self->srv_addr, b, 64));
	EXPECT_EQ(1, stat_wait("stt-a", "drop_no_session", 1));

	/* The right session, but no key: the tag cannot verify. */
	hdr(b, 1, 2, peer.sstt_session, 7);
	ASSERT_EQ(0, udp_inject(&self->srv_addr, b, 64));
	EXPECT_EQ(1, stat_wait("stt-a", "drop_auth", 1));
	hdr(b, 1, 2, peer.sstt_session, 8);
	ASSERT_EQ(0, udp_inject(&self->srv_addr, b, 16 + 15));
	EXPECT_EQ(2, stat_wait("stt-a", "drop_truncated", 2));

	/* A well-formed HELLO, in a datagram too short to answer safely. */
	hdr(b, 1, 1, 0, 0);
	memset(b + 16, 0, sizeof(b) - 16);
	b[16] = 0x01;			/* HELLO */
	b[17] = 0x01;			/* offers ChaCha20-Poly1305 */
	b[18] = 0x01;			/* and prefers it */
	b[24] = 0x42;			/* client session id */
	memset(b + 25, 0x09, 64);	/* public key and nonce */
	ASSERT_EQ(0, udp_inject(&self->srv_addr, b, 100));
	EXPECT_EQ(1, stat_wait("stt-a", "drop_hello_short", 1));

	/* The session is still there and good: a new stream reuses it. */
	again = stt_socket_key(key_a);
	EXPECT_EQ(0, do_connect(again, &self->srv_addr));
	EXPECT_EQ(1, stt_stat("handshakes_started"));
	EXPECT_EQ(1, stat_in("stt-a", "handshakes_completed"));
	EXPECT_EQ(0, stat_in("stt-a", "sessions_closed"));
	close(again);
	close(fd);
}

static int so_error(int fd)
{
	socklen_t len = sizeof(int);
	int err = -1;

	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	return err;
}

/*
 * The server closes a session it has no stream on any more after its idle
 * timeout and says so; the client's stream on it fails with ECONNRESET, and
 * the next connect() opens a new session.
 */
TEST_F_TIMEOUT(pair, idle_close_reaches_the_peer, 120)
{
	int fd = stt_socket_key(key_a), again, acc;

	ASSERT_EQ(0, stt_sysctl("stt-a", "idle_timeout_ms", 1000));
	ASSERT_EQ(0, do_connect(fd, &self->srv_addr));
	acc = accept(self->srv, NULL, NULL);
	ASSERT_LE(0, acc);
	close(acc);
	EXPECT_EQ(1, stat_wait("stt-a", "sessions_idle", 1));
	EXPECT_EQ(1, stat_wait("stt-b", "sessions_closed_by_peer", 1));
	EXPECT_EQ(ECONNRESET, so_error(fd));
	close(fd);

	again = stt_socket_key(key_a);
	EXPECT_EQ(0, do_connect(again, &self->srv_addr));
	EXPECT_EQ(2, stt_stat("handshakes_completed"));
	close(again);
}

/* A peer that stops answering keepalives is given up: ETIMEDOUT. */
TEST_F_TIMEOUT(pair, silent_peer_times_out, 120)
{
	int fd = stt_socket_key(key_a);

	ASSERT_EQ(0, stt_sysctl("stt-b", "idle_timeout_ms", 1500));
	ASSERT_EQ(0, stt_sysctl("stt-b", "keepalive_ms", 200));
	ASSERT_EQ(0, do_connect(fd, &self->srv_addr));
	ASSERT_EQ(0, stt_netem("stt-a", "loss 100%"));
	EXPECT_EQ(1, stat_wait("stt-b", "sessions_peer_timeout", 1));
	EXPECT_EQ(ETIMEDOUT, so_error(fd));
	EXPECT_LE(2, stt_stat("keepalives"));
	/* The server answered: CHALLENGE, FINAL and two KEEPALIVE_ACKs at least. */
	EXPECT_LE(4, stat_in("stt-a", "packets_out"));
	close(fd);
}

/*
 * Capture, on host b's veth, the UDP payload of the first protected STT packet
 * the server (source port PORT) sends; returns its length, or -1.
 */
static int capture_protected(int pfd, unsigned char *out, int cap,
			     unsigned short *dport)
{
	unsigned char pkt[2048];
	int i, n, ip;

	for (i = 0; i < 200; i++) {
		struct pollfd p = { .fd = pfd, .events = POLLIN };

		if (poll(&p, 1, 50) != 1)
			continue;
		n = recv(pfd, pkt, sizeof(pkt), 0);
		if (n < 1)
			continue;
		ip = (pkt[0] >> 4) == 4 ? (pkt[0] & 15) * 4 : 40;
		if (n < ip + 8 + 17 || (pkt[ip] << 8 | pkt[ip + 1]) != PORT)
			continue;
		if ((pkt[ip + 8 + 1] & 0x0f) != 2)	/* protected */
			continue;
		*dport = pkt[ip + 2] << 8 | pkt[ip + 3];
		n -= ip + 8;
		if (n > cap)
			return -1;
		memcpy(out, pkt + ip + 8, n);
		return n;
	}
	return -1;
}

/* An authentic packet sent again is refused by the replay window. */
TEST_F_TIMEOUT(pair, replay_is_dropped, 120)
{
	struct sockaddr_stt me;
	socklen_t len = sizeof(me);
	unsigned char b[2048];
	unsigned short dport;
	int pfd, fd, n;
	struct sockaddr_ll ll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
	};

	pfd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
	ASSERT_LE(0, pfd);
	ll.sll_ifindex = if_nametoindex("veth0");
	ASSERT_EQ(0, bind(pfd, (struct sockaddr *)&ll, sizeof(ll)));

	fd = stt_socket_key(key_a);
	ASSERT_EQ(0, do_connect(fd, &self->srv_addr));
	n = capture_protected(pfd, b, sizeof(b), &dport);	/* the FINAL */
	ASSERT_LT(0, n);
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&me, &len));
	EXPECT_EQ(htons(dport), me.sstt_port);

	/* Deliver it again to the client's endpoint, as an attacker would. */
	me = variant->v6 ? stt_addr6("::1", dport, 0) :
			   stt_addr4("127.0.0.1", dport, 0);
	ASSERT_EQ(0, udp_inject(&me, b, n));
	EXPECT_EQ(1, stat_wait("stt-b", "drop_replay", 1));
	EXPECT_EQ(0, stt_stat("drop_auth"));
	/* One byte changed: no longer authentic. */
	b[n - 1] ^= 1;
	ASSERT_EQ(0, udp_inject(&me, b, n));
	EXPECT_EQ(1, stat_wait("stt-b", "drop_auth", 1));
	EXPECT_EQ(0, stt_stat("sessions_closed"));
	close(pfd);
	close(fd);
}

/* Keys rotate on both sides, with no packet lost or refused on the way. */
TEST_F_TIMEOUT(pair, rekey_keeps_the_session, 120)
{
	int fd = stt_socket_key(key_a);

	ASSERT_EQ(0, stt_sysctl("stt-a", "rekey_after_packets", 3));
	ASSERT_EQ(0, stt_sysctl("stt-b", "rekey_after_packets", 3));
	ASSERT_EQ(0, stt_sysctl("stt-b", "idle_timeout_ms", 3000));
	ASSERT_EQ(0, stt_sysctl("stt-b", "keepalive_ms", 60));
	ASSERT_EQ(0, do_connect(fd, &self->srv_addr));

	EXPECT_LE(4, stat_wait("stt-b", "rekeys", 4));
	EXPECT_LE(4, stat_wait("stt-a", "rekeys", 4));
	EXPECT_EQ(0, stt_stat("drop_auth"));
	EXPECT_EQ(0, stt_stat("drop_key_phase"));
	EXPECT_EQ(0, stat_in("stt-a", "drop_auth"));
	EXPECT_EQ(0, stat_in("stt-a", "drop_key_phase"));
	EXPECT_EQ(0, stt_stat("sessions_closed"));
	EXPECT_EQ(0, so_error(fd));
	close(fd);
}

/* Keys also rotate by age. */
TEST_F_TIMEOUT(pair, rekey_by_time, 120)
{
	int fd = stt_socket_key(key_a);

	ASSERT_EQ(0, stt_sysctl("stt-b", "rekey_after_ms", 300));
	ASSERT_EQ(0, stt_sysctl("stt-b", "idle_timeout_ms", 3000));
	ASSERT_EQ(0, stt_sysctl("stt-b", "keepalive_ms", 60));
	ASSERT_EQ(0, do_connect(fd, &self->srv_addr));
	EXPECT_LE(2, stat_wait("stt-b", "rekeys", 2));
	EXPECT_EQ(0, stat_in("stt-a", "drop_auth"));
	EXPECT_EQ(0, stat_in("stt-a", "drop_key_phase"));
	EXPECT_EQ(0, so_error(fd));
	close(fd);
}

/* The handshake gets through 30 % loss in both directions. */
TEST_F_TIMEOUT(pair, handshake_under_loss, 300)
{
	unsigned char key[STT_PSK_LEN];
	int i, fd;

	ASSERT_EQ(0, stt_sysctl("stt-b", "handshake_timeout_ms", 60000));
	ASSERT_EQ(0, stt_netem("stt-a", "loss 30%"));
	ASSERT_EQ(0, stt_netem("stt-b", "loss 30%"));
	/* A new key each time, so that each connect() needs a new session. */
	for (i = 0; i < 4; i++) {
		memcpy(key, key_a, sizeof(key));
		key[31] = i;
		ASSERT_EQ(0, stt_enter("stt-a"));
		close(self->srv);
		self->srv = stt_socket_key(key);
		ASSERT_EQ(0, bind(self->srv, (struct sockaddr *)&self->srv_addr,
				  sizeof(self->srv_addr)));
		ASSERT_EQ(0, listen(self->srv, 1));
		ASSERT_EQ(0, stt_enter("stt-b"));
		fd = stt_socket_key(key);
		EXPECT_EQ(0, do_connect(fd, &self->srv_addr));
		close(fd);
	}
	EXPECT_EQ(4, stt_stat("handshakes_completed"));
	TH_LOG("handshake retransmissions under loss: %lld",
	       stt_stat("handshake_retransmits"));
}

TEST_HARNESS_MAIN
