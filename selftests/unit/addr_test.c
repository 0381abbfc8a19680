// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kernel/addr.c in user space: every rule of stt_addr_check().
 */
#include <arpa/inet.h>

#include "kselftest_harness.h"
#include "addr.h"

static struct sockaddr_stt good4(void)
{
	struct sockaddr_stt sa = {
		.sstt_family = AF_STT,
		.sstt_addr_family = AF_INET,
		.sstt_port = htons(4242),
	};

	inet_pton(AF_INET, "192.0.2.1", &sa.sstt_addr.v4);
	return sa;
}

static struct sockaddr_stt good6(void)
{
	struct sockaddr_stt sa = {
		.sstt_family = AF_STT,
		.sstt_addr_family = AF_INET6,
		.sstt_port = htons(4242),
		.sstt_scope_id = 3,
	};

	inet_pton(AF_INET6, "fe80::1", &sa.sstt_addr.v6);
	return sa;
}

#define CHECK(sa, len, use) stt_addr_check(&(sa), (len), AF_STT, (use))

TEST(layout_is_fixed)
{
	EXPECT_EQ(32, sizeof(struct sockaddr_stt));
}

TEST(good_addresses)
{
	struct sockaddr_stt a4 = good4(), a6 = good6();

	EXPECT_EQ(0, CHECK(a4, sizeof(a4), STT_ADDR_BIND));
	EXPECT_EQ(0, CHECK(a4, sizeof(a4), STT_ADDR_CONNECT));
	EXPECT_EQ(0, CHECK(a6, sizeof(a6), STT_ADDR_BIND));
	EXPECT_EQ(0, CHECK(a6, sizeof(a6), STT_ADDR_CONNECT));
	a4.sstt_stream = 9;
	EXPECT_EQ(0, CHECK(a4, sizeof(a4), STT_ADDR_CONNECT));
	a4.sstt_port = 0;
	a4.sstt_stream = 0;
	EXPECT_EQ(0, CHECK(a4, sizeof(a4), STT_ADDR_BIND));
}

TEST(every_short_length)
{
	struct sockaddr_stt sa = good4();
	int len;

	for (len = -1; len < (int)sizeof(sa); len++) {
		EXPECT_EQ(-EINVAL, CHECK(sa, len, STT_ADDR_BIND));
		EXPECT_EQ(-EINVAL, CHECK(sa, len, STT_ADDR_CONNECT));
	}
}

TEST(families)
{
	struct sockaddr_stt sa = good4();

	EXPECT_EQ(-EAFNOSUPPORT, stt_addr_check(&sa, sizeof(sa), 13, STT_ADDR_BIND));
	sa.sstt_family = 13;
	EXPECT_EQ(0, stt_addr_check(&sa, sizeof(sa), 13, STT_ADDR_BIND));
	sa = good4();
	sa.sstt_addr_family = AF_UNIX;
	EXPECT_EQ(-EAFNOSUPPORT, CHECK(sa, sizeof(sa), STT_ADDR_CONNECT));
	sa.sstt_addr_family = 0;
	EXPECT_EQ(-EAFNOSUPPORT, CHECK(sa, sizeof(sa), STT_ADDR_BIND));
}

TEST(fields)
{
	struct sockaddr_stt sa = good4();

	sa.sstt_session = 1;
	EXPECT_EQ(-EINVAL, CHECK(sa, sizeof(sa), STT_ADDR_BIND));
	sa = good4();
	sa.sstt_scope_id = 2;
	EXPECT_EQ(-EINVAL, CHECK(sa, sizeof(sa), STT_ADDR_CONNECT));
	sa = good4();
	sa.sstt_stream = 1;
	EXPECT_EQ(-EINVAL, CHECK(sa, sizeof(sa), STT_ADDR_BIND));
	sa = good4();
	sa.sstt_port = 0;
	EXPECT_EQ(-EINVAL, CHECK(sa, sizeof(sa), STT_ADDR_CONNECT));
}

TEST(multicast)
{
	struct sockaddr_stt sa = good4();

	inet_pton(AF_INET, "239.1.2.3", &sa.sstt_addr.v4);
	EXPECT_EQ(-EINVAL, CHECK(sa, sizeof(sa), STT_ADDR_CONNECT));
	inet_pton(AF_INET, "223.255.255.255", &sa.sstt_addr.v4);
	EXPECT_EQ(0, CHECK(sa, sizeof(sa), STT_ADDR_CONNECT));
	sa = good6();
	inet_pton(AF_INET6, "ff05::2", &sa.sstt_addr.v6);
	EXPECT_EQ(-EINVAL, CHECK(sa, sizeof(sa), STT_ADDR_CONNECT));
}

TEST_HARNESS_MAIN
