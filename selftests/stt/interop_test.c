// SPDX-License-Identifier: GPL-2.0
/*
 * The module against tools/sttpeer, a second implementation of the wire
 * format written from Documentation/wire.rst alone, both ways: the module
 * as the server (the peer connects from stt-b to a listener on stt-a) and
 * as the client (the peer listens on stt-a, sockets on stt-b connect), over
 * IPv4 and IPv6.  Four streams each carry data both ways at once; each end
 * checks every byte it reads against the pattern and reports the SHA-256 of
 * what it sent and read, and the test compares the two ends' figures.  Both
 * nodes also replace their keys every 16 packets (the module through
 * net.stt.rekey_after_packets, the peer once the module announced it can
 * open its next key), so key updates interoperate too.
 */
#include "kselftest_harness.h"
#include "pair.h"
#include "peer.h"

#define PEER_PORT	7010
#define NSTREAMS	4
#define REPLY_SEED	0x10000		/* sttpeer.py: the acceptor's data */
#define REKEY		16

FIXTURE(interop) {
	struct sockaddr_stt a_addr;	/* stt-a, PEER_PORT */
	const char *a_ip;
	struct peer peer;
};

FIXTURE_VARIANT(interop) {
	int v6;
};

FIXTURE_VARIANT_ADD(interop, ipv4) { .v6 = 0 };
FIXTURE_VARIANT_ADD(interop, ipv6) { .v6 = 1 };

FIXTURE_SETUP(interop)
{
	ASSERT_NE(NULL, peer_script()) TH_LOG("no %s: set STT_REPO", PEER_SCRIPT);
	ASSERT_EQ(0, stt_hosts_up());
	self->a_ip = variant->v6 ? STT_A6 : STT_A4;
	self->a_addr = variant->v6 ? stt_addr6(STT_A6, PEER_PORT, 0) :
				     stt_addr4(STT_A4, PEER_PORT, 0);
	ASSERT_EQ(0, sysctl_in("stt-a", "rekey_after_packets", REKEY));
	ASSERT_EQ(0, sysctl_in("stt-b", "rekey_after_packets", REKEY));
	self->peer.pid = 0;
}

FIXTURE_TEARDOWN(interop)
{
	if (self->peer.pid > 0 && self->peer.status < 0)
		peer_wait(&self->peer, 0);
	peer_free(&self->peer);
	stt_hosts_down();
}

/* Per stream: the module's sender and receiver threads. */
struct side {
	int fd;
	unsigned int sid;
	struct xfer tx, rx;
	pthread_t t_tx, t_rx;
};

static unsigned int stream_id(int fd)
{
	struct sockaddr_stt sa;
	socklen_t len = sizeof(sa);

	if (getsockname(fd, (struct sockaddr *)&sa, &len))
		return 0;
	return sa.sstt_stream;
}

/* Start sending @bytes and receiving on @s; the opener sends seed sid. */
static int side_start(struct side *s, int fd, u64 bytes, int opener)
{
	s->fd = fd;
	s->sid = stream_id(fd);
	stall_guard(fd);
	s->tx = (struct xfer){ .fd = fd, .len = bytes, .chunk = 16384,
			       .shut = 1,
			       .seed = s->sid + (opener ? 0 : REPLY_SEED) };
	s->rx = (struct xfer){ .fd = fd, .chunk = 16384,
			       .seed = s->sid + (opener ? REPLY_SEED : 0) };
	if (!s->sid || pthread_create(&s->t_tx, NULL, sender, &s->tx))
		return -1;
	return pthread_create(&s->t_rx, NULL, receiver, &s->rx);
}

static void hex(const unsigned char *sha, char *out)
{
	int i;

	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", sha[i]);
}

/*
 * Join @s's threads and compare with the peer's line for the stream:
 * "stream S tx LEN SHA rx LEN SHA bad N".  0 if every figure agrees.
 */
static int side_check(struct __test_metadata *_metadata, struct side *s,
		      const struct peer *p, u64 bytes)
{
	char want[32], ptx[80], prx[80], tx[65], rx[65];
	unsigned long long ptxlen, prxlen;
	const char *line;

	pthread_join(s->t_tx, NULL);
	pthread_join(s->t_rx, NULL);
	hex(s->tx.sha, tx);
	hex(s->rx.sha, rx);
	printf("# stream %u: module sent %llu (err %d), read %llu (err %d, %llu bad)\n",
	       s->sid, (unsigned long long)bytes, s->tx.err,
	       (unsigned long long)s->rx.len, s->rx.err,
	       (unsigned long long)s->rx.bad);
	snprintf(want, sizeof(want), "stream %u ", s->sid);
	line = peer_line(p, want);
	if (!line || sscanf(line, "stream %*u tx %llu %79s rx %llu %79s",
			    &ptxlen, ptx, &prxlen, prx) != 4) {
		TH_LOG("stream %u: no figures from the peer", s->sid);
		return -1;
	}
	EXPECT_EQ(0, s->tx.err);
	EXPECT_EQ(0, s->rx.err);
	EXPECT_EQ(0, s->rx.bad);
	EXPECT_EQ(bytes, s->rx.len);		/* what the peer sent arrived */
	EXPECT_EQ(bytes, prxlen);		/* what we sent arrived */
	EXPECT_EQ(bytes, ptxlen);
	/* Byte for byte: SHA-256 of what one end sent, of what the other read. */
	EXPECT_STREQ(ptx, rx);
	EXPECT_STREQ(prx, tx);
	close(s->fd);
	return 0;
}

/*
 * The Python peer is slow in the emulated guest: 64 KiB each way per
 * stream over IPv4, 16 KiB over IPv6, a quarter of that under the debug
 * kernel.
 */
static u64 stream_bytes(int v6)
{
	return (v6 ? 16 * 1024 : 64 * 1024) / (debug_kernel() ? 4 : 1);
}

/* The peer connects to a listener of the module and opens the streams. */
TEST_F_TIMEOUT(interop, module_is_server, 300)
{
	struct side s[NSTREAMS];
	char nbytes[32], port[16];
	long long t0 = ms_now(), rekeys;
	u64 bytes = stream_bytes(variant->v6);
	int lfd, i, fd;

	ASSERT_EQ(0, stt_enter("stt-a"));
	lfd = listener(&self->a_addr, SOCK_STREAM);
	ASSERT_LE(0, lfd);
	stall_guard(lfd);
	snprintf(nbytes, sizeof(nbytes), "%llu", (unsigned long long)bytes);
	snprintf(port, sizeof(port), "%d", PEER_PORT);
	ASSERT_EQ(0, peer_start(&self->peer, "stt-b", "client", "--connect",
				self->a_ip, port, "--psk", peer_psk(),
				"--streams", "4", "--bytes", nbytes,
				"--rekey", "16", NULL));
	/* Python's first start in the guest takes long: wait for its session. */
	ASSERT_NE(NULL, peer_read(&self->peer, "session", 180000));
	for (i = 0; i < NSTREAMS; i++) {
		fd = accept(lfd, NULL, NULL);
		ASSERT_LE(0, fd) TH_LOG("accept %d: %s", i, strerror(errno));
		ASSERT_EQ(0, side_start(&s[i], fd, bytes, 0));
	}
	EXPECT_EQ(0, peer_wait(&self->peer, 120000));
	ASSERT_NE(NULL, peer_line(&self->peer, "ok"));
	for (i = 0; i < NSTREAMS; i++)
		ASSERT_EQ(0, side_check(_metadata, &s[i], &self->peer, bytes));
	rekeys = stat_in("stt-a", "rekeys");
	printf("# %d streams x %llu bytes each way in %lld ms; module rekeys %lld\n",
	       NSTREAMS, (unsigned long long)bytes, ms_now() - t0, rekeys);
	EXPECT_LE(1, rekeys);
	close(lfd);
}

/* The module connects to the peer and opens the streams. */
TEST_F_TIMEOUT(interop, module_is_client, 300)
{
	struct side s[NSTREAMS];
	char nbytes[32], port[16];
	long long t0 = ms_now(), rekeys;
	u64 bytes = stream_bytes(variant->v6);
	int i, fd;

	snprintf(nbytes, sizeof(nbytes), "%llu", (unsigned long long)bytes);
	snprintf(port, sizeof(port), "%d", PEER_PORT);
	ASSERT_EQ(0, peer_start(&self->peer, "stt-a", "server", "--listen",
				self->a_ip, port, "--psk", peer_psk(),
				"--streams", "4", "--bytes", nbytes,
				"--rekey", "16", NULL));
	ASSERT_NE(NULL, peer_read(&self->peer, "ready", 180000));
	ASSERT_EQ(0, stt_enter("stt-b"));
	for (i = 0; i < NSTREAMS; i++) {
		fd = stt_sock(SOCK_STREAM);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, do_connect(fd, &self->a_addr));
		ASSERT_EQ(0, side_start(&s[i], fd, bytes, 1));
	}
	EXPECT_EQ(0, peer_wait(&self->peer, 120000));
	ASSERT_NE(NULL, peer_line(&self->peer, "ok"));
	for (i = 0; i < NSTREAMS; i++)
		ASSERT_EQ(0, side_check(_metadata, &s[i], &self->peer, bytes));
	rekeys = stat_in("stt-b", "rekeys");
	printf("# %d streams x %llu bytes each way in %lld ms; module rekeys %lld\n",
	       NSTREAMS, (unsigned long long)bytes, ms_now() - t0, rekeys);
	EXPECT_LE(1, rekeys);
}

/* The peer once, before the harness forks the tests: they share it. */
int main(int argc, char **argv)
{
	if (peer_proc_start())
		fprintf(stderr, "# cannot start %s\n", PEER_SCRIPT);
	return test_harness_run(argc, argv);
}
