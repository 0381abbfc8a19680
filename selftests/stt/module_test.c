// SPDX-License-Identifier: GPL-2.0
/*
 * Module lifetime: an open socket pins stt.ko, unloading with none open works
 * and so does loading again, socket(AF_STT) loads the module on demand, and a
 * family number that is taken or out of range makes the load fail with a clear
 * message.  Needs root and $STT_KO, the path of stt.ko.
 */
#include <errno.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "stt_test.h"
#include "netns.h"

static int stt_loaded(void)
{
	return access("/sys/module/stt", F_OK) == 0;
}

static int stt_unload_once(void)
{
	return syscall(SYS_delete_module, "stt", O_NONBLOCK) ? errno : 0;
}

/*
 * Unload once nothing holds the module.  A closed socket that streams were
 * looked up in is freed after an RCU grace period, so its hold on the module
 * may outlive close() by that much: wait for it, up to 10 s.
 */
static int stt_unload(void)
{
	struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };
	int i, err;

	for (i = 0; i < 1000; i++) {
		err = stt_unload_once();
		if (err != EWOULDBLOCK)
			break;
		nanosleep(&tick, NULL);
	}
	return err;
}

static int stt_load(const char *params)
{
	const char *ko = getenv("STT_KO");
	int fd, err = 0;

	errno = ENOENT;		/* what a missing $STT_KO reports */
	fd = ko ? open(ko, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0)
		return errno;
	if (syscall(SYS_finit_module, fd, params, 0))
		err = errno;
	close(fd);
	return err;
}

/* Both helpers return 0 or the errno of the failed call, as a positive number. */

/* Every test starts and ends with the module loaded with default parameters. */
FIXTURE(mod) {};

FIXTURE_SETUP(mod)
{
	if (!stt_loaded())
		ASSERT_EQ(0, stt_load(""));
}

FIXTURE_TEARDOWN(mod)
{
	if (!stt_loaded())
		stt_load("");
}

TEST_F(mod, open_socket_pins_module)
{
	int fd = socket(AF_STT, SOCK_SEQPACKET, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(EWOULDBLOCK, stt_unload_once());
	EXPECT_TRUE(stt_loaded());
	close(fd);
	EXPECT_EQ(0, stt_unload());
	EXPECT_FALSE(stt_loaded());
}

TEST_F(mod, unload_and_reload)
{
	int i, fd;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, stt_unload());
		ASSERT_FALSE(stt_loaded());
		ASSERT_EQ(0, stt_load(""));
		fd = socket(AF_STT, SOCK_STREAM, 0);
		ASSERT_LE(0, fd);
		close(fd);
	}
}

TEST_F(mod, autoload_on_first_socket)
{
	int fd;

	ASSERT_EQ(0, stt_unload());
	ASSERT_FALSE(stt_loaded());
	fd = socket(AF_STT, SOCK_STREAM, 0);
	ASSERT_LE(0, fd) TH_LOG("socket(AF_STT) did not load the module: %s",
				strerror(errno));
	EXPECT_TRUE(stt_loaded());
	close(fd);
}

TEST_F(mod, taken_family_fails_clearly)
{
	int kmsg = stt_kmsg_open();

	ASSERT_LE(0, kmsg);
	ASSERT_EQ(0, stt_unload());
	EXPECT_EQ(EEXIST, stt_load("family=2"));	/* AF_INET */
	EXPECT_FALSE(stt_loaded());
	EXPECT_TRUE(stt_kmsg_has(kmsg, "address family 2 is already taken"));
	close(kmsg);
}

TEST_F(mod, family_out_of_range_fails_clearly)
{
	int kmsg = stt_kmsg_open();

	ASSERT_LE(0, kmsg);
	ASSERT_EQ(0, stt_unload());
	EXPECT_EQ(EINVAL, stt_load("family=4096"));
	EXPECT_EQ(EINVAL, stt_load("family=0"));
	EXPECT_FALSE(stt_loaded());
	EXPECT_TRUE(stt_kmsg_has(kmsg, "address family 4096 is out of range"));
	close(kmsg);
}

TEST_F(mod, other_free_family)
{
	struct sockaddr_stt sa = stt_addr4("127.0.0.1", 0, 0);
	int fd;

	ASSERT_EQ(0, stt_unload());
	ASSERT_EQ(0, stt_load("family=13"));
	fd = socket(13, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	/* Addresses now carry the moved family number. */
	sa.sstt_family = 13;
	EXPECT_EQ(0, bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	close(fd);
	fd = socket(13, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	sa.sstt_family = AF_STT;
	EXPECT_EQ(-1, bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(EAFNOSUPPORT, errno);
	close(fd);
	ASSERT_EQ(0, stt_unload());
}

/*
 * Sessions outlive their sockets; unloading the module tears them down in
 * every namespace (kmemleak, run after the tests, checks nothing is left).
 */
TEST_F(mod, unload_with_live_sessions)
{
	struct sockaddr_stt sa = stt_addr4(STT_A4, 7100, 0);
	unsigned char key[STT_PSK_LEN] = { 9 };
	int srv, cli;

	ASSERT_EQ(0, stt_hosts_up());
	ASSERT_EQ(0, stt_enter("stt-a"));
	srv = socket(AF_STT, SOCK_STREAM, 0);
	ASSERT_EQ(0, setsockopt(srv, SOL_STT, STT_PSK, key, sizeof(key)));
	ASSERT_EQ(0, bind(srv, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, listen(srv, 1));
	ASSERT_EQ(0, stt_enter("stt-b"));
	cli = socket(AF_STT, SOCK_STREAM, 0);
	ASSERT_EQ(0, setsockopt(cli, SOL_STT, STT_PSK, key, sizeof(key)));
	ASSERT_EQ(0, connect(cli, (struct sockaddr *)&sa, sizeof(sa)));
	close(cli);
	close(srv);

	EXPECT_EQ(0, stt_unload());
	EXPECT_FALSE(stt_loaded());
	stt_hosts_down();
}

TEST_HARNESS_MAIN
