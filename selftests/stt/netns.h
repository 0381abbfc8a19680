/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two test hosts for the STT selftests: network namespaces "stt-a" and "stt-b"
 * joined by a veth pair, with addresses from the documentation ranges
 * (192.0.2.1 and 192.0.2.2, 2001:db8::1 and 2001:db8::2).  A test enters a
 * host with stt_enter(); sockets stay in the namespace they were created in.
 */
#ifndef _STT_NETNS_H
#define _STT_NETNS_H

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define STT_A4 "192.0.2.1"
#define STT_B4 "192.0.2.2"
#define STT_A6 "2001:db8::1"
#define STT_B6 "2001:db8::2"

static inline int stt_sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc)
		fprintf(stderr, "# command failed (%d): %s\n", rc, cmd);
	return rc;
}

/* Remove the two hosts (and with them the veth pair). */
static inline void stt_hosts_down(void)
{
	if (system("ip netns del stt-a 2>/dev/null; ip netns del stt-b 2>/dev/null"))
		return;	/* nothing was there */
}

static const char * const stt_hosts_setup[] = {
	"ip netns add stt-a",
	"ip netns add stt-b",
	"ip -n stt-a link add veth0 type veth peer name veth0 netns stt-b",
	"ip -n stt-a link set lo up",
	"ip -n stt-b link set lo up",
	"ip -n stt-a addr add 192.0.2.1/24 dev veth0",
	"ip -n stt-b addr add 192.0.2.2/24 dev veth0",
	"ip -n stt-a addr add 2001:db8::1/64 dev veth0 nodad",
	"ip -n stt-b addr add 2001:db8::2/64 dev veth0 nodad",
	"ip -n stt-a link set veth0 up",
	"ip -n stt-b link set veth0 up",
};

/* Create the two hosts; 0 on success. */
static inline int stt_hosts_up(void)
{
	unsigned int i;

	stt_hosts_down();
	for (i = 0; i < ARRAY_SIZE(stt_hosts_setup); i++)
		if (stt_sh(stt_hosts_setup[i]))
			return -1;
	return 0;
}

/* Move the calling thread into host @name ("stt-a" or "stt-b"); 0 on success. */
static inline int stt_enter(const char *name)
{
	char path[64];
	int fd, rc;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = setns(fd, CLONE_NEWNET);
	close(fd);
	return rc;
}

#endif /* _STT_NETNS_H */
