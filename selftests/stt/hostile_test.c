// SPDX-License-Identifier: GPL-2.0
/*
 * STT against a hostile network and hostile neighbours (hosts stt-a and
 * stt-b of netns.h):
 *
 * - handshake messages forged by someone who sees the traffic but does not
 *   hold the key (CHALLENGE, REJECT, AUTH_PROOF, FINAL, a protected packet)
 *   are dropped and counted, and neither stop a handshake nor close a
 *   session;
 * - a spoofed HELLO leaves a half-open server session that a local
 *   connect() to the same peer must not take for its own;
 * - a session belongs to its key, and an address to the user who bound it;
 * - IPv6 link-local addresses need their scope;
 * - refused connects racing the STREAM_OPEN timer and close(), many times
 *   over (the guest runner fails the run on any KASAN, lockdep or kmemleak
 *   report they provoke).
 *
 * Forged datagrams are written by hand from Documentation/wire.rst and sent
 * through raw sockets with the source address and port of the node they
 * impersonate, so that only the cryptographic checks can tell them apart.
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/random.h>

#include "kselftest_harness.h"
#include "pair.h"

#define SRV_PORT	7001	/* where the listeners are */
#define WILD_PORT	7002	/* the IPv6 wildcard listener */
#define CONSENT_PORT	7005	/* shared by two users who both agree */
#define CLI_PORT	7100	/* clients bind here (and one up), to be found */
#define NOBODY		65534

/* The handshake's packet and frame types (Documentation/wire.rst). */
#define PKT_HANDSHAKE	1
#define PKT_PROTECTED	2
#define F_HELLO		0x01
#define F_CHALLENGE	0x02
#define F_AUTH_PROOF	0x03
#define F_FINAL		0x04
#define F_REJECT	0x05
#define HDR_LEN		16

/* pair.h's "key" is K1, the key every host normally holds; this is K2. */
static const unsigned char key2[STT_PSK_LEN] = { 0x6b, 0x32 };

FIXTURE(hosts) {
	int raw_a;	/* raw IPv4 sockets in stt-a and stt-b, for forgeries */
	int raw_b;
};

FIXTURE_SETUP(hosts)
{
	ASSERT_EQ(0, stt_hosts_up());
	ASSERT_EQ(0, stt_enter("stt-a"));
	self->raw_a = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	ASSERT_LE(0, self->raw_a);
	ASSERT_EQ(0, stt_enter("stt-b"));
	self->raw_b = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	ASSERT_LE(0, self->raw_b);
}

/* What else a test leaves open closes when its process exits. */
FIXTURE_TEARDOWN(hosts)
{
	close(self->raw_a);
	close(self->raw_b);
	stt_hosts_down();
}

static int sock_key(int type, const unsigned char *k)
{
	int fd = socket(AF_STT, type, 0);

	if (fd >= 0 && setsockopt(fd, SOL_STT, STT_PSK, k, STT_PSK_LEN)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A listener with key @k; SO_REUSEADDR first if @reuse.  -1 on failure. */
static int listen_key(const struct sockaddr_stt *sa, int type,
		      const unsigned char *k, int reuse)
{
	int fd = sock_key(type, k);

	if (fd < 0)
		return -1;
	if ((reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse,
				 sizeof(reuse))) ||
	    bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) ||
	    listen(fd, 64)) {
		close(fd);
		return -1;
	}
	stall_guard(fd);	/* a blocking accept() gives up after 30 s */
	return fd;
}

static void set_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* How a non-blocking connect() ended (its SO_ERROR), or -1 if not in 30 s. */
static int connect_result(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err = -1;

	if (poll(&p, 1, 30000) == 1)
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	return err;
}

/* Counter @name of host @ns once it reaches @want, or as it is after 20 s. */
static long long stat_wait(const char *ns, const char *name, long long want)
{
	long long end = ms_now() + 20000, v;

	while ((v = stat_in(ns, name)) < want && ms_now() < end)
		usleep(20000);
	return v;
}

/* A few bytes each way between two ends of a stream; 0 if both arrive. */
static int both_ways(int a, int b)
{
	static const char ping[] = "ping from the client",
			  pong[] = "pong from the server";
	char buf[sizeof(ping)];

	stall_guard(a);
	stall_guard(b);
	if (write_full(a, ping, sizeof(ping)) ||
	    read_full(b, buf, sizeof(ping)) || memcmp(buf, ping, sizeof(ping)))
		return -1;
	if (write_full(b, pong, sizeof(pong)) ||
	    read_full(a, buf, sizeof(pong)) || memcmp(buf, pong, sizeof(pong)))
		return -1;
	return 0;
}

static void put32(unsigned char *p, unsigned int v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static unsigned int get32(const unsigned char *p)
{
	return (unsigned int)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void fill_random(void *buf, size_t len)
{
	if (getrandom(buf, len, 0) != (ssize_t)len)
		memset(buf, 0x3c, len);	/* still not anybody's secret */
}

/*
 * Start a packet in @b: the 16-byte header for session @dst (the id the
 * receiver chose) with packet number @pn, and @len - 16 bytes of PADDING
 * (0x00) behind it for the caller's frame.  Returns @len.
 */
static size_t packet(unsigned char *b, size_t len, int type, unsigned int dst,
		     unsigned long long pn)
{
	memset(b, 0, len);
	b[0] = 1;			/* version */
	b[1] = type;			/* key phase 0 */
	put32(b + 4, dst);
	put32(b + 8, pn >> 32);
	put32(b + 12, pn);
	return len;
}

/* A HELLO from client session @sid, offering ChaCha20-Poly1305 only. */
static size_t hello(unsigned char *b, unsigned int sid)
{
	size_t n = packet(b, 256, PKT_HANDSHAKE, 0, 0);	/* the 256 minimum */

	b[16] = F_HELLO;
	b[17] = STT_CIPHER_CHACHA20_POLY1305;	/* offered */
	b[18] = STT_CIPHER_CHACHA20_POLY1305;	/* preferred */
	put32(b + 21, sid);
	fill_random(b + 25, 64);	/* public key and nonce */
	return n;
}

/*
 * A CHALLENGE to client session @dst, with a random key, nonce and server
 * proof: only the key holder could make the proof match.
 */
static size_t challenge(unsigned char *b, unsigned int dst)
{
	size_t n = packet(b, HDR_LEN + 1 + 104, PKT_HANDSHAKE, dst, 0);

	b[16] = F_CHALLENGE;
	b[17] = STT_CIPHER_CHACHA20_POLY1305;	/* what the client offered */
	fill_random(b + 21, 4 + 96);	/* session id, key, nonce, proof */
	b[21] |= 0x80;			/* a session id is never 0 */
	return n;
}

/* A REJECT to client session @dst that echoes a nonce the client never sent. */
static size_t reject(unsigned char *b, unsigned int dst)
{
	size_t n = packet(b, HDR_LEN + 1 + 36, PKT_HANDSHAKE, dst, 0);

	b[16] = F_REJECT;
	put32(b + 17, 1);		/* no listener */
	fill_random(b + 21, 32);
	return n;
}

/* An AUTH_PROOF to server session @dst with a random client proof. */
static size_t auth_proof(unsigned char *b, unsigned int dst)
{
	size_t n = packet(b, HDR_LEN + 1 + 32, PKT_HANDSHAKE, dst, 1);

	b[16] = F_AUTH_PROOF;
	fill_random(b + 17, 32);
	return n;
}

static struct sockaddr_in sin4(const char *ip, unsigned short port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};

	inet_pton(AF_INET, ip, &sin.sin_addr);
	return sin;
}

/*
 * Send @data as a UDP datagram from @from to @to through raw socket @raw,
 * whatever @from is.  Checksum 0: IPv4 UDP may go without one.
 */
static int spoof(int raw, const struct sockaddr_in *from,
		 const struct sockaddr_in *to, const void *data, size_t len)
{
	unsigned char pkt[1500];
	struct iphdr *ip = (struct iphdr *)pkt;
	struct udphdr *uh = (struct udphdr *)(ip + 1);
	size_t tot = sizeof(*ip) + sizeof(*uh) + len;

	if (tot > sizeof(pkt))
		return -1;
	memset(pkt, 0, sizeof(*ip) + sizeof(*uh));
	ip->version = 4;
	ip->ihl = sizeof(*ip) / 4;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(tot);
	ip->saddr = from->sin_addr.s_addr;
	ip->daddr = to->sin_addr.s_addr;
	uh->source = from->sin_port;
	uh->dest = to->sin_port;
	uh->len = htons(sizeof(*uh) + len);
	memcpy(uh + 1, data, len);
	if (sendto(raw, pkt, tot, 0, (const struct sockaddr *)to,
		   sizeof(*to)) != (ssize_t)tot)
		return -1;
	return 0;
}

/* An AF_PACKET socket on the calling thread's host's veth0, IPv4 only. */
static int sniffer(void)
{
	struct sockaddr_ll ll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = if_nametoindex("veth0"),
	};
	int fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));

	if (fd >= 0 && bind(fd, (struct sockaddr *)&ll, sizeof(ll))) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Wait (20 s at most) for a CHALLENGE from the server's port to go by on
 * @pfd: *sid gets the server's session id (CHALLENGE offset 4), *cport the
 * client's port.
 */
static int sniff_challenge(int pfd, unsigned int *sid, unsigned short *cport)
{
	long long end = ms_now() + 20000;
	unsigned char pkt[2048], *udp, *stt;
	int n;

	while (ms_now() < end) {
		struct pollfd p = { .fd = pfd, .events = POLLIN };

		if (poll(&p, 1, 100) != 1)
			continue;
		n = recv(pfd, pkt, sizeof(pkt), 0);
		if (n < 20 || pkt[9] != IPPROTO_UDP)
			continue;
		udp = pkt + (pkt[0] & 15) * 4;
		stt = udp + 8;
		if (n < stt + HDR_LEN + 1 + 104 - pkt ||
		    (udp[0] << 8 | udp[1]) != SRV_PORT ||
		    (stt[1] & 15) != PKT_HANDSHAKE || stt[16] != F_CHALLENGE)
			continue;
		*sid = get32(stt + 17 + 4);
		*cport = udp[2] << 8 | udp[3];
		return 0;
	}
	return -1;
}

/* For a failure's log: every counter of both hosts that is not 0. */
static void log_counters(struct __test_metadata *_metadata)
{
	static const char * const hosts[] = { "stt-a", "stt-b" };
	int back = open("/proc/self/ns/net", O_RDONLY), i;
	char line[128];
	FILE *f;

	for (i = 0; i < 2 && back >= 0 && !stt_enter(hosts[i]); i++) {
		f = fopen("/proc/net/stt/stats", "r");
		while (f && fgets(line, sizeof(line), f))
			if (!strstr(line, " 0\n"))
				TH_LOG("%s: %s", hosts[i], strtok(line, "\n"));
		if (f)
			fclose(f);
	}
	if (back >= 0 && setns(back, CLONE_NEWNET))
		TH_LOG("cannot go back to the test's host");
	close(back);
}

/*
 * Everything forged is ignored.  On the client's side the server's replies
 * are held back 300 ms on stt-a's veth, so that a forged CHALLENGE and
 * REJECT, sent from stt-b itself under the server's address, get there
 * first.  On the server's side the client's packets are held back instead,
 * and a forged AUTH_PROOF, sent from stt-a under the client's address,
 * reaches the half-open session before the genuine one.
 */
TEST_F_TIMEOUT(hosts, forged_handshake_messages_are_ignored, 600)
{
	struct sockaddr_stt srv = stt_addr4(STT_A4, SRV_PORT, 0), me;
	struct sockaddr_in srv_in = sin4(STT_A4, SRV_PORT), cli_in;
	struct sockaddr_stt cli = stt_addr4(STT_B4, CLI_PORT, 0);
	socklen_t len = sizeof(me);
	unsigned char b[256];
	int lfd, c1, c2, a1, a2, pfd, err;
	unsigned short cport;
	unsigned int sid;
	long long v;

	ASSERT_EQ(0, stt_enter("stt-a"));
	lfd = listen_key(&srv, SOCK_STREAM, key, 0);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, stt_enter("stt-b"));
	/*
	 * After a forged CHALLENGE the client waits only a second or so for
	 * the genuine one and its keys; the first keys made may wait for
	 * crypto modules to load.  Get that over with.
	 */
	c1 = sock_key(SOCK_STREAM, key);
	ASSERT_EQ(0, do_connect(c1, &srv));
	a1 = accept(lfd, NULL, NULL);
	ASSERT_LE(0, a1);
	close(a1);
	close(c1);

	/* The client: a bogus CHALLENGE and REJECT while it waits. */
	ASSERT_EQ(0, stt_netem("stt-a", "delay 300ms"));
	c1 = sock_key(SOCK_STREAM, key);
	ASSERT_LE(0, c1);
	ASSERT_EQ(0, bind(c1, (struct sockaddr *)&cli, sizeof(cli)));
	set_nonblock(c1);
	ASSERT_EQ(EINPROGRESS, do_connect(c1, &srv));
	ASSERT_EQ(0, getsockname(c1, (struct sockaddr *)&me, &len));
	ASSERT_NE(0, me.sstt_session);
	ASSERT_NE(0, me.sstt_port);
	cli_in = sin4(STT_B4, ntohs(me.sstt_port));
	ASSERT_EQ(0, spoof(self->raw_b, &srv_in, &cli_in, b,
			   reject(b, me.sstt_session)));
	ASSERT_EQ(0, spoof(self->raw_b, &srv_in, &cli_in, b,
			   challenge(b, me.sstt_session)));
	err = connect_result(c1);
	if (err)
		log_counters(_metadata);
	ASSERT_EQ(0, err);
	EXPECT_LE(1, stat_wait("stt-b", "drop_challenge_proof", 1));
	EXPECT_LE(1, stat_wait("stt-b", "drop_handshake_nonce", 1));
	a1 = accept(lfd, NULL, NULL);
	ASSERT_LE(0, a1);

	/* The server: a bogus AUTH_PROOF to its half-open session. */
	ASSERT_EQ(0, stt_netem_off("stt-a"));
	ASSERT_EQ(0, stt_netem("stt-b", "delay 300ms"));
	pfd = sniffer();
	ASSERT_LE(0, pfd);
	cli.sstt_port = htons(CLI_PORT + 1);	/* another endpoint: a new session */
	c2 = sock_key(SOCK_STREAM, key);
	ASSERT_LE(0, c2);
	ASSERT_EQ(0, bind(c2, (struct sockaddr *)&cli, sizeof(cli)));
	set_nonblock(c2);
	ASSERT_EQ(EINPROGRESS, do_connect(c2, &srv));
	ASSERT_EQ(0, sniff_challenge(pfd, &sid, &cport));
	close(pfd);
	EXPECT_EQ(CLI_PORT + 1, cport);
	cli_in = sin4(STT_B4, cport);
	ASSERT_EQ(0, spoof(self->raw_a, &cli_in, &srv_in, b, auth_proof(b, sid)));
	err = connect_result(c2);
	if (err)
		log_counters(_metadata);
	ASSERT_EQ(0, err);
	EXPECT_LE(1, stat_wait("stt-a", "handshakes_proof_failed", 1));
	a2 = accept(lfd, NULL, NULL);
	ASSERT_LE(0, a2);
	ASSERT_EQ(0, stt_netem_off("stt-b"));

	/* The established session: each forgery counted, none harmful. */
	v = stat_in("stt-a", "handshakes_proof_failed");
	ASSERT_EQ(0, spoof(self->raw_a, &cli_in, &srv_in, b, auth_proof(b, sid)));
	EXPECT_LE(v + 1, stat_wait("stt-a", "handshakes_proof_failed", v + 1));

	v = stat_in("stt-a", "drop_frame");
	packet(b, HDR_LEN + 1, PKT_HANDSHAKE, sid, 2);
	b[16] = F_FINAL;	/* FINAL only ever travels protected */
	ASSERT_EQ(0, spoof(self->raw_a, &cli_in, &srv_in, b, HDR_LEN + 1));
	EXPECT_LE(v + 1, stat_wait("stt-a", "drop_frame", v + 1));

	v = stat_in("stt-a", "drop_auth");
	packet(b, HDR_LEN + 64, PKT_PROTECTED, sid, 1000);
	fill_random(b + HDR_LEN, 64);	/* "ciphertext" and tag */
	ASSERT_EQ(0, spoof(self->raw_a, &cli_in, &srv_in, b, HDR_LEN + 64));
	EXPECT_LE(v + 1, stat_wait("stt-a", "drop_auth", v + 1));

	EXPECT_EQ(0, both_ways(c1, a1));
	EXPECT_EQ(0, both_ways(c2, a2));
	EXPECT_EQ(0, stat_in("stt-a", "sessions_closed"));
	EXPECT_EQ(0, stat_in("stt-b", "sessions_closed"));
}

/*
 * One spoofed HELLO "from" stt-b's listening address makes stt-a hold a
 * half-open server session to it.  stt-a's own connect() to that address
 * must start a handshake of its own instead of waiting on that session,
 * which nobody will ever complete.
 */
TEST_F_TIMEOUT(hosts, spoofed_hello_does_not_block_connect, 120)
{
	struct sockaddr_stt a = stt_addr4(STT_A4, SRV_PORT, 0);
	struct sockaddr_stt b = stt_addr4(STT_B4, SRV_PORT, 0);
	struct sockaddr_in a_in = sin4(STT_A4, SRV_PORT);
	struct sockaddr_in b_in = sin4(STT_B4, SRV_PORT);
	int la, lb, fd, acc, err;
	unsigned char pkt[256];
	unsigned int sid;
	long long took;

	ASSERT_EQ(0, stt_enter("stt-a"));
	la = listen_key(&a, SOCK_STREAM, key, 0);
	ASSERT_LE(0, la);
	ASSERT_EQ(0, stt_enter("stt-b"));
	lb = listen_key(&b, SOCK_STREAM, key, 0);
	ASSERT_LE(0, lb);

	fill_random(&sid, sizeof(sid));
	ASSERT_EQ(0, spoof(self->raw_b, &b_in, &a_in, pkt, hello(pkt, sid | 1)));
	ASSERT_EQ(1, stat_wait("stt-a", "handshakes_accepted", 1));

	/* The same address as stt-a's listener: same user, so allowed. */
	ASSERT_EQ(0, stt_enter("stt-a"));
	fd = sock_key(SOCK_STREAM, key);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&a, sizeof(a)));
	took = ms_now();
	err = do_connect(fd, &b);
	took = ms_now() - took;
	TH_LOG("connect() past the half-open session: %s after %lld ms",
	       strerror(err), took);
	EXPECT_EQ(0, err);
	EXPECT_GT(2000, took);
	if (!err) {
		acc = accept(lb, NULL, NULL);
		ASSERT_LE(0, acc);
		EXPECT_EQ(0, both_ways(fd, acc));
		close(acc);
	}
}

/*
 * Listener L1 (key K1) on stt-a's SRV_PORT, and a stream to it from stt-b
 * that stays open, and with it its session.  Leaves the caller in stt-b.
 */
static void k1_stream(struct __test_metadata *_metadata, int *l1, int *c,
		      int *a)
{
	struct sockaddr_stt srv = stt_addr4(STT_A4, SRV_PORT, 0);

	ASSERT_EQ(0, stt_enter("stt-a"));
	*l1 = listen_key(&srv, SOCK_STREAM, key, 0);
	ASSERT_LE(0, *l1);
	ASSERT_EQ(0, stt_enter("stt-b"));
	*c = sock_key(SOCK_STREAM, key);
	ASSERT_LE(0, *c);
	ASSERT_EQ(0, do_connect(*c, &srv));
	*a = accept(*l1, NULL, NULL);
	ASSERT_LE(0, *a);
}

/*
 * With L1 closed, L2 on the same address holds K2.  The K1 session is still
 * up, and a K1 stream on it must not end up with L2, which would hand it
 * to an application that never had the key the peer proved.
 */
TEST_F_TIMEOUT(hosts, other_key_cannot_take_streams, 120)
{
	struct sockaddr_stt srv = stt_addr4(STT_A4, SRV_PORT, 0);
	int l1, l2, c1, a1, c2, c3, a3, acc, err;

	k1_stream(_metadata, &l1, &c1, &a1);
	close(l1);

	ASSERT_EQ(0, stt_enter("stt-a"));
	l2 = listen_key(&srv, SOCK_STREAM, key2, 0);
	ASSERT_LE(0, l2);
	set_nonblock(l2);
	ASSERT_EQ(0, stt_enter("stt-b"));

	c2 = sock_key(SOCK_STREAM, key);
	ASSERT_LE(0, c2);
	EXPECT_EQ(ECONNREFUSED, do_connect(c2, &srv));
	EXPECT_EQ(1, stt_stat("handshakes_started"));	/* it was that session */
	acc = accept(l2, NULL, NULL);
	err = errno;
	EXPECT_EQ(-1, acc);
	EXPECT_EQ(EAGAIN, err);

	/* L2 takes streams of its own key, on a session of their own. */
	c3 = sock_key(SOCK_STREAM, key2);
	ASSERT_LE(0, c3);
	EXPECT_EQ(0, do_connect(c3, &srv));
	a3 = accept(l2, NULL, NULL);
	EXPECT_LE(0, a3);
	EXPECT_EQ(2, stt_stat("handshakes_started"));

	/* And the K1 stream never noticed. */
	EXPECT_EQ(0, both_ways(c1, a1));
	EXPECT_EQ(0, stat_in("stt-a", "sessions_closed"));
}

/*
 * bind() as user nobody, in stt-a, by a socket with key K2 (SO_REUSEADDR
 * first if @reuse).  A child process does it, since the test keeps root;
 * its exit status says how it went: 0, an errno, or 255 if it could not try.
 */
static int bind_as_nobody(const struct sockaddr_stt *sa, int reuse)
{
	int status, fd;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (stt_enter("stt-a") || setgroups(0, NULL) ||
		    setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(255);
		fd = sock_key(SOCK_STREAM, key2);
		if (fd < 0 || (reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR,
						   &reuse, sizeof(reuse))))
			_exit(255);
		_exit(bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) ?
		      errno : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Another user cannot bind an address that root's endpoint holds: not
 * while root listens there, not while only root's session keeps it, and
 * not by setting SO_REUSEADDR alone.  Root itself may bind it again.
 */
TEST_F_TIMEOUT(hosts, other_user_cannot_bind, 120)
{
	struct sockaddr_stt srv = stt_addr4(STT_A4, SRV_PORT, 0);
	int l1, l2, c1, a1;

	k1_stream(_metadata, &l1, &c1, &a1);
	EXPECT_EQ(EADDRINUSE, bind_as_nobody(&srv, 0));
	EXPECT_EQ(EADDRINUSE, bind_as_nobody(&srv, 1));
	close(l1);
	EXPECT_EQ(EADDRINUSE, bind_as_nobody(&srv, 0));

	ASSERT_EQ(0, stt_enter("stt-a"));
	l2 = listen_key(&srv, SOCK_STREAM, key2, 0);
	EXPECT_LE(0, l2);
	ASSERT_EQ(0, stt_enter("stt-b"));
	EXPECT_EQ(0, both_ways(c1, a1));
}

/* Both users set SO_REUSEADDR before bind(): they agree to share. */
TEST_F_TIMEOUT(hosts, other_user_binds_with_consent, 60)
{
	struct sockaddr_stt sa = stt_addr4(STT_A4, CONSENT_PORT, 0);
	int fd;

	ASSERT_EQ(0, stt_enter("stt-a"));
	fd = listen_key(&sa, SOCK_STREAM, key, 1);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, stt_enter("stt-b"));
	EXPECT_EQ(EADDRINUSE, bind_as_nobody(&sa, 0));
	EXPECT_EQ(0, bind_as_nobody(&sa, 1));
}

static struct sockaddr_stt link_local(const char *ip, unsigned short port,
				      unsigned int scope)
{
	struct sockaddr_stt sa = stt_addr6(ip, port, 0);

	sa.sstt_scope_id = scope;
	return sa;
}

/*
 * fe80::1 on stt-a and fe80::2 on stt-b: streams to a listener bound to
 * the link-local address and to a wildcard one, and EINVAL for a
 * link-local address without its interface.
 */
TEST_F_TIMEOUT(hosts, ipv6_link_local, 120)
{
	struct sockaddr_stt any = stt_addr6("::", WILD_PORT, 0), sa, peer;
	socklen_t len = sizeof(peer);
	unsigned int ifa, ifb;
	int l, lw, fd, acc, bad;
	struct timeval tv = { .tv_sec = 5 };

	ASSERT_EQ(0, stt_ip_batch("stt-a", "addr add fe80::1/64 dev veth0 nodad\n"));
	ASSERT_EQ(0, stt_ip_batch("stt-b", "addr add fe80::2/64 dev veth0 nodad\n"));

	ASSERT_EQ(0, stt_enter("stt-a"));
	ifa = if_nametoindex("veth0");
	ASSERT_NE(0, ifa);
	sa = link_local("fe80::1", SRV_PORT, ifa);
	l = listen_key(&sa, SOCK_STREAM, key, 0);
	ASSERT_LE(0, l);
	lw = listen_key(&any, SOCK_STREAM, key, 0);
	ASSERT_LE(0, lw);

	ASSERT_EQ(0, stt_enter("stt-b"));
	ifb = if_nametoindex("veth0");
	ASSERT_NE(0, ifb);
	sa = link_local("fe80::1", SRV_PORT, ifb);
	fd = sock_key(SOCK_STREAM, key);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, do_connect(fd, &sa));
	acc = accept(l, NULL, NULL);
	ASSERT_LE(0, acc);
	EXPECT_EQ(0, both_ways(fd, acc));
	/* The accepting side names its peer with stt-a's interface. */
	ASSERT_EQ(0, getpeername(acc, (struct sockaddr *)&peer, &len));
	EXPECT_EQ(0xfe, peer.sstt_addr.v6.s6_addr[0]);
	EXPECT_EQ(0x80, peer.sstt_addr.v6.s6_addr[1] & 0xc0);
	EXPECT_EQ(ifa, peer.sstt_scope_id);
	close(acc);
	close(fd);

	sa.sstt_port = htons(WILD_PORT);
	fd = sock_key(SOCK_STREAM, key);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, do_connect(fd, &sa));
	acc = accept(lw, NULL, NULL);
	ASSERT_LE(0, acc);
	EXPECT_EQ(0, both_ways(fd, acc));
	close(acc);
	close(fd);

	/* Which link?  Without the scope there is no telling. */
	ASSERT_EQ(0, stt_enter("stt-a"));
	bad = sock_key(SOCK_STREAM, key);
	ASSERT_LE(0, bad);
	sa = link_local("fe80::1", SRV_PORT + 10, 0);
	EXPECT_EQ(-1, bind(bad, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(EINVAL, errno);
	close(bad);
	ASSERT_EQ(0, stt_enter("stt-b"));
	bad = sock_key(SOCK_STREAM, key);
	ASSERT_LE(0, bad);
	/* Bounded, in case a kernel tries a handshake to nowhere. */
	setsockopt(bad, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	sa = link_local("fe80::1", SRV_PORT, 0);
	EXPECT_EQ(EINVAL, do_connect(bad, &sa));
}

/*
 * The refusals tests below need: a SOCK_SEQPACKET listener on stt-a, and
 * stt-a's answers 5 ms late, so that a SOCK_STREAM connect()'s STREAM_OPEN,
 * retransmitted every millisecond (the least STT_RETRANSMIT_TIMEOUT), is
 * still being resent when the refusal (kind mismatch) arrives.
 */
static int seqpacket_refuser(struct __test_metadata *_metadata,
			     const struct sockaddr_stt *srv)
{
	int lfd;

	ASSERT_EQ(0, stt_enter("stt-a"));
	lfd = listen_key(srv, SOCK_SEQPACKET, key, 0);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, stt_enter("stt-b"));
	ASSERT_EQ(0, stt_netem("stt-a", "delay 5ms"));
	return lfd;
}

/*
 * A connect() that does not end within 20 s fails with EINPROGRESS, so that
 * a lost refusal shows in the log instead of hanging the test.
 */
static int fast_stream_sock(void)
{
	int fd = sock_key(SOCK_STREAM, key), rto = STT_RETRANSMIT_TIMEOUT_MIN;
	struct timeval tv = { .tv_sec = 20 };

	if (fd >= 0 && (setsockopt(fd, SOL_STT, STT_RETRANSMIT_TIMEOUT, &rto,
				   sizeof(rto)) ||
			setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A message stream still opens on the session all the refusals used. */
static void seqpacket_still_works(struct __test_metadata *_metadata,
				  int lfd, const struct sockaddr_stt *srv)
{
	int fd = sock_key(SOCK_SEQPACKET, key), acc;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, do_connect(fd, srv));
	acc = accept(lfd, NULL, NULL);
	ASSERT_LE(0, acc);
	EXPECT_EQ(0, both_ways(fd, acc));
	EXPECT_EQ(1, stt_stat("handshakes_started"));
	EXPECT_EQ(0, stat_in("stt-a", "sessions_closed"));
	EXPECT_EQ(0, stt_stat("sessions_closed"));
}

/*
 * Refused connects, each racing its STREAM_OPEN timer against the undo of
 * the failed connect(); some sockets try a second time after the refusal.
 */
TEST_F_TIMEOUT(hosts, refused_connect_loop_with_timers, 900)
{
	struct sockaddr_stt srv = stt_addr4(STT_A4, SRV_PORT, 0);
	int rounds = debug_kernel() ? 40 : 200, i, fd, err, again, bad = 0;
	long long t0 = ms_now();
	int lfd = seqpacket_refuser(_metadata, &srv);

	for (i = 0; i < rounds; i++) {
		fd = fast_stream_sock();
		ASSERT_LE(0, fd);
		err = do_connect(fd, &srv);
		again = err == EPROTOTYPE && i % 3 == 0;
		if (again)
			err = do_connect(fd, &srv);
		if (err != EPROTOTYPE && bad++ < 5) {
			TH_LOG("connect %d%s: %s, not EPROTOTYPE", i,
			       again ? " (again)" : "", strerror(err));
			log_info(_metadata, "that socket", fd);
		}
		close(fd);
	}
	if (bad)
		log_counters(_metadata);
	EXPECT_EQ(0, bad);
	TH_LOG("%d refusals in %lld ms; STREAM_OPEN resent %lld times", rounds,
	       ms_now() - t0, stt_stat("stream_open_retransmits"));
	EXPECT_LT(0, stt_stat("stream_open_retransmits"));
	seqpacket_still_works(_metadata, lfd, &srv);
}

/* close() at once, or within 3 ms, after a connect() that will be refused. */
TEST_F_TIMEOUT(hosts, close_races_refusal, 900)
{
	struct sockaddr_stt srv = stt_addr4(STT_A4, SRV_PORT, 0);
	int rounds = debug_kernel() ? 40 : 200, i, fd, err, other = 0;
	int lfd = seqpacket_refuser(_metadata, &srv);
	unsigned int delay;

	for (i = 0; i < rounds; i++) {
		fd = fast_stream_sock();
		ASSERT_LE(0, fd);
		set_nonblock(fd);
		/* The refusal may beat connect() back on a slow guest. */
		err = do_connect(fd, &srv);
		if (err != EINPROGRESS && err != EPROTOTYPE && other++ < 5)
			TH_LOG("connect %d: %s", i, strerror(err));
		if (i % 2) {
			fill_random(&delay, sizeof(delay));
			usleep(delay % 3001);
		}
		close(fd);
	}
	EXPECT_EQ(0, other);
	seqpacket_still_works(_metadata, lfd, &srv);
}

TEST_HARNESS_MAIN
