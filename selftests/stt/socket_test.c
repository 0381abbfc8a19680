// SPDX-License-Identifier: GPL-2.0
/*
 * The AF_STT socket surface: the family is registered, socket() accepts the
 * types and protocols STT offers and refuses the rest with the right errno,
 * bind() and connect() reject malformed addresses, listen() needs a bound,
 * unconnected socket with a key, and an operation the module does not offer
 * answers EOPNOTSUPP instead of misbehaving.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "stt_test.h"

TEST(family_is_registered)
{
	char line[256];
	int found = 0;
	FILE *f;
	int fd;

	fd = socket(AF_STT, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	close(fd);

	f = fopen("/proc/net/protocols", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "STT ", 4))
			found = 1;
	fclose(f);
	EXPECT_EQ(1, found);
}

FIXTURE(create) {};
FIXTURE_SETUP(create) {}
FIXTURE_TEARDOWN(create) {}

FIXTURE_VARIANT(create) {
	int type;
	int protocol;
	int error;	/* 0: socket() succeeds */
};

FIXTURE_VARIANT_ADD(create, stream) { .type = SOCK_STREAM, .error = 0 };

FIXTURE_VARIANT_ADD(create, seqpacket) { .type = SOCK_SEQPACKET, .error = 0 };

FIXTURE_VARIANT_ADD(create, stream_flags) {
	.type = SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, .error = 0
};

FIXTURE_VARIANT_ADD(create, dgram) { .type = SOCK_DGRAM, .error = ESOCKTNOSUPPORT };

FIXTURE_VARIANT_ADD(create, raw) { .type = SOCK_RAW, .error = ESOCKTNOSUPPORT };

FIXTURE_VARIANT_ADD(create, rdm) { .type = SOCK_RDM, .error = ESOCKTNOSUPPORT };

FIXTURE_VARIANT_ADD(create, stream_tcp) {
	.type = SOCK_STREAM, .protocol = IPPROTO_TCP, .error = EPROTONOSUPPORT
};

FIXTURE_VARIANT_ADD(create, seqpacket_sctp) {
	.type = SOCK_SEQPACKET, .protocol = IPPROTO_SCTP, .error = EPROTONOSUPPORT
};

FIXTURE_VARIANT_ADD(create, stream_udp) {
	.type = SOCK_STREAM, .protocol = IPPROTO_UDP, .error = EPROTONOSUPPORT
};

TEST_F(create, matrix)
{
	int fd = socket(AF_STT, variant->type, variant->protocol);

	if (!variant->error) {
		ASSERT_LE(0, fd);
		close(fd);
	} else {
		ASSERT_EQ(-1, fd);
		EXPECT_EQ(variant->error, errno);
	}
}

FIXTURE(addr) {
	int fd;
};

FIXTURE_VARIANT(addr) {
	int seqpacket;
};

FIXTURE_VARIANT_ADD(addr, stream) { .seqpacket = 0 };

FIXTURE_VARIANT_ADD(addr, seqpacket) { .seqpacket = 1 };

FIXTURE_SETUP(addr)
{
	self->fd = socket(AF_STT, variant->seqpacket ? SOCK_SEQPACKET : SOCK_STREAM, 0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(addr)
{
	close(self->fd);
}

static int do_bind(int fd, struct sockaddr_stt sa, socklen_t len)
{
	return bind(fd, (struct sockaddr *)&sa, len) ? errno : 0;
}

static int do_connect(int fd, struct sockaddr_stt sa, socklen_t len)
{
	return connect(fd, (struct sockaddr *)&sa, len) ? errno : 0;
}

TEST_F(addr, short_length)
{
	struct sockaddr_stt sa = stt_addr4("127.0.0.1", 9000, 0);

	EXPECT_EQ(EINVAL, do_bind(self->fd, sa, sizeof(sa) - 1));
	EXPECT_EQ(EINVAL, do_bind(self->fd, sa, sizeof(sa_family_t)));
	EXPECT_EQ(EINVAL, do_bind(self->fd, sa, 0));
	EXPECT_EQ(EINVAL, do_connect(self->fd, sa, sizeof(sa) - 1));
	EXPECT_EQ(EINVAL, do_connect(self->fd, sa, 0));
}

TEST_F(addr, wrong_family)
{
	struct sockaddr_stt sa = stt_addr4("127.0.0.1", 9000, 0);

	sa.sstt_family = AF_INET;
	EXPECT_EQ(EAFNOSUPPORT, do_bind(self->fd, sa, sizeof(sa)));
	EXPECT_EQ(EAFNOSUPPORT, do_connect(self->fd, sa, sizeof(sa)));

	sa = stt_addr4("127.0.0.1", 9000, 0);
	sa.sstt_addr_family = AF_UNIX;
	EXPECT_EQ(EAFNOSUPPORT, do_bind(self->fd, sa, sizeof(sa)));
	EXPECT_EQ(EAFNOSUPPORT, do_connect(self->fd, sa, sizeof(sa)));
}

TEST_F(addr, bad_port)
{
	EXPECT_EQ(EINVAL, do_connect(self->fd, stt_addr4("127.0.0.1", 0, 0),
				     sizeof(struct sockaddr_stt)));
	EXPECT_EQ(EINVAL, do_connect(self->fd, stt_addr6("::1", 0, 0),
				     sizeof(struct sockaddr_stt)));
}

TEST_F(addr, bad_fields)
{
	struct sockaddr_stt sa;

	/* The session id is output only. */
	sa = stt_addr4("127.0.0.1", 9000, 0);
	sa.sstt_session = 7;
	EXPECT_EQ(EINVAL, do_bind(self->fd, sa, sizeof(sa)));
	EXPECT_EQ(EINVAL, do_connect(self->fd, sa, sizeof(sa)));

	/* An IPv4 address has no scope. */
	sa = stt_addr4("127.0.0.1", 9000, 0);
	sa.sstt_scope_id = 1;
	EXPECT_EQ(EINVAL, do_connect(self->fd, sa, sizeof(sa)));

	/* bind() names a node, never a stream. */
	EXPECT_EQ(EINVAL, do_bind(self->fd, stt_addr4("127.0.0.1", 9000, 5),
				  sizeof(sa)));

	/* Streams are unicast. */
	EXPECT_EQ(EINVAL, do_connect(self->fd, stt_addr4("224.0.0.1", 9000, 0),
				     sizeof(sa)));
	EXPECT_EQ(EINVAL, do_connect(self->fd, stt_addr6("ff02::1", 9000, 0),
				     sizeof(sa)));
}

/* A longer buffer than the structure is fine, as for the other families. */
TEST_F(addr, long_length_is_accepted)
{
	struct {
		struct sockaddr_stt sa;
		char pad[16];
	} big = { .sa = stt_addr4("127.0.0.1", 9000, 0) };

	EXPECT_NE(EINVAL, bind(self->fd, (struct sockaddr *)&big, sizeof(big)) ? errno : 0);
}

/* Calls that need a listening or connected socket, on one that is neither. */
TEST(unconnected_operations)
{
	char buf[8] = "x";
	int fd;

	fd = socket(AF_STT, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);

	EXPECT_EQ(-1, accept(fd, NULL, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, send(fd, buf, 1, MSG_NOSIGNAL));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, recv(fd, buf, 1, MSG_DONTWAIT));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, shutdown(fd, SHUT_WR));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, send(fd, buf, 1, MSG_OOB | MSG_NOSIGNAL));
	EXPECT_EQ(EOPNOTSUPP, errno);
	close(fd);
}

TEST(names)
{
	struct sockaddr_stt sa, want = stt_addr4("127.0.0.1", 9200, 0);
	socklen_t len = sizeof(sa);
	int fd;

	fd = socket(AF_STT, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	/* Unbound: only the family. */
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&sa, &len));
	EXPECT_EQ(sizeof(sa), len);
	EXPECT_EQ(AF_STT, sa.sstt_family);
	EXPECT_EQ(0, sa.sstt_port);
	EXPECT_EQ(-1, getpeername(fd, (struct sockaddr *)&sa, &len));
	EXPECT_EQ(ENOTCONN, errno);

	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&want, sizeof(want)));
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&sa, &len));
	EXPECT_EQ(0, memcmp(&want, &sa, sizeof(sa)));
	close(fd);

	/* Port 0 binds an ephemeral port, which getsockname() reports. */
	fd = socket(AF_STT, SOCK_STREAM, 0);
	want.sstt_port = 0;
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&want, sizeof(want)));
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&sa, &len));
	EXPECT_NE(0, sa.sstt_port);
	close(fd);
}

TEST(listen_needs_address_and_key)
{
	struct sockaddr_stt sa = stt_addr4("127.0.0.1", 0, 0);
	unsigned char key[STT_PSK_LEN] = { 1 };
	int fd, other;

	fd = socket(AF_STT, SOCK_SEQPACKET, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, listen(fd, 1));
	EXPECT_EQ(EDESTADDRREQ, errno);
	sa.sstt_port = htons(9100);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(-1, bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, listen(fd, 1));
	EXPECT_EQ(ENOKEY, errno);
	ASSERT_EQ(0, setsockopt(fd, SOL_STT, STT_PSK, key, sizeof(key)));
	EXPECT_EQ(0, listen(fd, 1));

	/* One listener per address. */
	other = socket(AF_STT, SOCK_STREAM, 0);
	ASSERT_EQ(0, bind(other, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, setsockopt(other, SOL_STT, STT_PSK, key, sizeof(key)));
	EXPECT_EQ(-1, listen(other, 1));
	EXPECT_EQ(EADDRINUSE, errno);
	close(other);
	close(fd);
}

/* listen() on a connected or an accepted socket fails as for TCP. */
TEST(listen_on_a_stream_is_invalid)
{
	struct sockaddr_stt sa = stt_addr4("127.0.0.1", 9110, 0);
	unsigned char key[STT_PSK_LEN] = { 2 };
	int lfd, c, bc, a;

	lfd = socket(AF_STT, SOCK_STREAM, 0);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, setsockopt(lfd, SOL_STT, STT_PSK, key, sizeof(key)));
	ASSERT_EQ(0, listen(lfd, 4));

	/* Never bound: connect() alone gave it its endpoint. */
	c = socket(AF_STT, SOCK_STREAM, 0);
	ASSERT_EQ(0, setsockopt(c, SOL_STT, STT_PSK, key, sizeof(key)));
	ASSERT_EQ(0, connect(c, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(-1, listen(c, 1));
	EXPECT_EQ(EINVAL, errno);

	/* Bound to an address of its own, then connected. */
	bc = socket(AF_STT, SOCK_STREAM, 0);
	sa.sstt_port = htons(9111);
	ASSERT_EQ(0, bind(bc, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, setsockopt(bc, SOL_STT, STT_PSK, key, sizeof(key)));
	sa.sstt_port = htons(9110);
	ASSERT_EQ(0, connect(bc, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(-1, listen(bc, 1));
	EXPECT_EQ(EINVAL, errno);

	a = accept(lfd, NULL, NULL);
	ASSERT_LE(0, a);
	EXPECT_EQ(-1, listen(a, 1));
	EXPECT_EQ(EINVAL, errno);
	/* The listener may listen again, with another backlog. */
	EXPECT_EQ(0, listen(lfd, 8));

	close(a);
	close(bc);
	close(c);
	close(lfd);
}

TEST(options)
{
	unsigned char key[STT_PSK_LEN + 1] = { 7 };
	socklen_t len;
	int fd, val;

	fd = socket(AF_STT, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);

	/* The key is exactly 32 bytes, and write-only. */
	EXPECT_EQ(-1, setsockopt(fd, SOL_STT, STT_PSK, key, STT_PSK_LEN - 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsockopt(fd, SOL_STT, STT_PSK, key, STT_PSK_LEN + 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, setsockopt(fd, SOL_STT, STT_PSK, key, STT_PSK_LEN));
	len = sizeof(key);
	EXPECT_EQ(-1, getsockopt(fd, SOL_STT, STT_PSK, key, &len));
	EXPECT_EQ(EPERM, errno);

	/* The cipher suites: the sysctl's default, then any valid set. */
	len = sizeof(val);
	ASSERT_EQ(0, getsockopt(fd, SOL_STT, STT_CIPHER, &val, &len));
	EXPECT_EQ(STT_CIPHER_CHACHA20_POLY1305, val);
	val = STT_CIPHER_AES_256_GCM | STT_CIPHER_CHACHA20_POLY1305;
	EXPECT_EQ(0, setsockopt(fd, SOL_STT, STT_CIPHER, &val, sizeof(val)));
	ASSERT_EQ(0, getsockopt(fd, SOL_STT, STT_CIPHER, &val, &len));
	EXPECT_EQ(STT_CIPHER_AES_256_GCM | STT_CIPHER_CHACHA20_POLY1305, val);
	val = 0;
	EXPECT_EQ(-1, setsockopt(fd, SOL_STT, STT_CIPHER, &val, sizeof(val)));
	EXPECT_EQ(EINVAL, errno);
	val = 4;
	EXPECT_EQ(-1, setsockopt(fd, SOL_STT, STT_CIPHER, &val, sizeof(val)));
	EXPECT_EQ(EINVAL, errno);

	/* Unknown options and levels. */
	EXPECT_EQ(-1, setsockopt(fd, SOL_STT, 1000, &val, sizeof(val)));
	EXPECT_EQ(ENOPROTOOPT, errno);
	EXPECT_EQ(-1, getsockopt(fd, SOL_STT, 1000, &val, &len));
	EXPECT_EQ(ENOPROTOOPT, errno);
	val = 1;
	EXPECT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &val, sizeof(val)));
	close(fd);
}

/* The initial retransmission timeout: the sysctl's value, then 1..60000 ms. */
TEST(retransmit_timeout)
{
	int fd, val, def = -1;
	socklen_t len;
	FILE *f;

	/* First the socket: it loads the module, which makes the sysctl. */
	fd = socket(AF_STT, SOCK_SEQPACKET, 0);
	ASSERT_LE(0, fd);
	f = fopen("/proc/sys/net/stt/rto_initial_ms", "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%d", &def));
	fclose(f);

	len = sizeof(val);
	ASSERT_EQ(0, getsockopt(fd, SOL_STT, STT_RETRANSMIT_TIMEOUT, &val, &len));
	EXPECT_EQ(sizeof(val), len);
	EXPECT_EQ(def, val);

	val = 250;
	EXPECT_EQ(0, setsockopt(fd, SOL_STT, STT_RETRANSMIT_TIMEOUT, &val,
				sizeof(val)));
	val = 0;
	ASSERT_EQ(0, getsockopt(fd, SOL_STT, STT_RETRANSMIT_TIMEOUT, &val, &len));
	EXPECT_EQ(250, val);
	val = STT_RETRANSMIT_TIMEOUT_MAX;
	EXPECT_EQ(0, setsockopt(fd, SOL_STT, STT_RETRANSMIT_TIMEOUT, &val,
				sizeof(val)));
	val = STT_RETRANSMIT_TIMEOUT_MIN;
	EXPECT_EQ(0, setsockopt(fd, SOL_STT, STT_RETRANSMIT_TIMEOUT, &val,
				sizeof(val)));

	/* Out of range or short: refused, and the value stays. */
	val = 0;
	EXPECT_EQ(-1, setsockopt(fd, SOL_STT, STT_RETRANSMIT_TIMEOUT, &val,
				 sizeof(val)));
	EXPECT_EQ(EINVAL, errno);
	val = 60001;
	EXPECT_EQ(-1, setsockopt(fd, SOL_STT, STT_RETRANSMIT_TIMEOUT, &val,
				 sizeof(val)));
	EXPECT_EQ(EINVAL, errno);
	val = -1;
	EXPECT_EQ(-1, setsockopt(fd, SOL_STT, STT_RETRANSMIT_TIMEOUT, &val,
				 sizeof(val)));
	EXPECT_EQ(EINVAL, errno);
	val = 500;
	EXPECT_EQ(-1, setsockopt(fd, SOL_STT, STT_RETRANSMIT_TIMEOUT, &val,
				 sizeof(val) - 1));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, getsockopt(fd, SOL_STT, STT_RETRANSMIT_TIMEOUT, &val, &len));
	EXPECT_EQ(STT_RETRANSMIT_TIMEOUT_MIN, val);
	close(fd);
}

TEST_HARNESS_MAIN
