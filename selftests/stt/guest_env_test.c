// SPDX-License-Identifier: GPL-2.0
/*
 * The test guest itself: two network namespaces joined by veth carry UDP over
 * IPv4 and IPv6, and a netem qdisc really delays and drops what crosses it.
 * Later suites build on these hosts, so they are checked on their own here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <time.h>

#include "kselftest_harness.h"
#include "netns.h"

/* Bind a UDP socket to @ip:@port in the current namespace. */
static int udp_bound(int family, const char *ip, int port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int fd;

	fd = socket(family, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		inet_pton(AF_INET, ip, &sin->sin_addr);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		inet_pton(AF_INET6, ip, &sin6->sin6_addr);
		len = sizeof(*sin6);
	}
	if (bind(fd, (struct sockaddr *)&ss, len)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int udp_connect(int fd, int family, const char *ip, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

	if (family == AF_INET) {
		inet_pton(AF_INET, ip, &sin.sin_addr);
		return connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	}
	inet_pton(AF_INET6, ip, &sin6.sin6_addr);
	return connect(fd, (struct sockaddr *)&sin6, sizeof(sin6));
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

FIXTURE(hosts) {
	int a, b;
};

FIXTURE_VARIANT(hosts) {
	int family;
	const char *a_ip, *b_ip;
};

FIXTURE_VARIANT_ADD(hosts, ipv4) { AF_INET, STT_A4, STT_B4 };

FIXTURE_VARIANT_ADD(hosts, ipv6) { AF_INET6, STT_A6, STT_B6 };

FIXTURE_SETUP(hosts)
{
	ASSERT_EQ(0, stt_hosts_up());
	ASSERT_EQ(0, stt_enter("stt-b"));
	self->b = udp_bound(variant->family, variant->b_ip, 7000);
	ASSERT_LE(0, self->b);
	ASSERT_EQ(0, stt_enter("stt-a"));
	self->a = udp_bound(variant->family, variant->a_ip, 7000);
	ASSERT_LE(0, self->a);
	ASSERT_EQ(0, udp_connect(self->a, variant->family, variant->b_ip, 7000));
	ASSERT_EQ(0, udp_connect(self->b, variant->family, variant->a_ip, 7000));
}

FIXTURE_TEARDOWN(hosts)
{
	close(self->a);
	close(self->b);
	stt_hosts_down();
}

/* One datagram a -> b -> a; returns the round trip in ms, or -1. */
static double ping(int a, int b, int timeout_ms)
{
	struct pollfd pfd = { .events = POLLIN };
	char buf[64];
	double t0 = now_ms();

	if (send(a, "ping", 4, 0) != 4)
		return -1;
	pfd.fd = b;
	if (poll(&pfd, 1, timeout_ms) != 1 || recv(b, buf, sizeof(buf), 0) != 4)
		return -1;
	if (send(b, "pong", 4, 0) != 4)
		return -1;
	pfd.fd = a;
	if (poll(&pfd, 1, timeout_ms) != 1 || recv(a, buf, sizeof(buf), 0) != 4)
		return -1;
	return now_ms() - t0;
}

TEST_F(hosts, udp_crosses_veth)
{
	EXPECT_LE(0, ping(self->a, self->b, 5000));
}

TEST_F(hosts, netem_delays)
{
	double rtt;

	ASSERT_EQ(0, stt_netem("stt-a", "delay 100ms"));
	rtt = ping(self->a, self->b, 5000);
	/* Only a -> b is delayed: the round trip takes at least 100 ms. */
	EXPECT_LE(100, rtt);
}

TEST_F(hosts, netem_drops)
{
	int i, got = 0;

	ASSERT_EQ(0, stt_netem("stt-a", "loss 100%"));
	for (i = 0; i < 5; i++)
		if (ping(self->a, self->b, 50) >= 0)
			got++;
	EXPECT_EQ(0, got);
	ASSERT_EQ(0, stt_netem_off("stt-a"));
	EXPECT_LE(0, ping(self->a, self->b, 5000));
}

TEST_HARNESS_MAIN
