/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two test hosts for the STT selftests: network namespaces "stt-a" and "stt-b"
 * joined by a veth pair, with addresses from the documentation ranges
 * (192.0.2.1 and 192.0.2.2, 2001:db8::1 and 2001:db8::2); or, for a link in
 * the middle of the path, the same two hosts on two subnets joined by a
 * router, "stt-r" (stt_routed_up()).  A test enters a host with stt_enter();
 * sockets stay in the namespace they were created in.
 */
#ifndef _STT_NETNS_H
#define _STT_NETNS_H

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "rtnl.h"

#define STT_A4 "192.0.2.1"
#define STT_B4 "192.0.2.2"
#define STT_A6 "2001:db8::1"
#define STT_B6 "2001:db8::2"

/*
 * Run @argv with @input (may be NULL) on its standard input; returns its exit
 * status.  No shell in between: under the debug kernel in an emulated guest
 * every exec costs over a second, so hosts are built without any (rtnl.h)
 * and the helpers below, for what rtnl.h does not do, spawn one process.
 */
static inline int stt_run(const char *input, char *const argv[])
{
	int pfd[2], status;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		dup2(pfd[0], 0);
		close(pfd[0]);
		close(pfd[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pfd[0]);
	if (input && write(pfd[1], input, strlen(input)) < 0)
		fprintf(stderr, "# cannot feed %s\n", argv[0]);
	close(pfd[1]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "# %s %s failed\n", argv[0], argv[1]);
		return -1;
	}
	return 0;
}

/* Run "ip [-n @ns] -batch -" over the commands in @cmds. */
static inline int stt_ip_batch(const char *ns, const char *cmds)
{
	char *const with_ns[] = { "ip", "-n", (char *)ns, "-batch", "-", NULL };
	char *const no_ns[] = { "ip", "-batch", "-", NULL };

	return stt_run(cmds, ns ? with_ns : no_ns);
}

/* Put a netem qdisc with @params (e.g. "delay 100ms") on host @ns's veth0. */
static inline int stt_netem(const char *ns, const char *params)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "qdisc replace dev veth0 root netem %s\n", params);
	return stt_run(cmd, (char *const[]){ "tc", "-n", (char *)ns, "-batch", "-", NULL });
}

/* Remove host @ns's netem qdisc. */
static inline int stt_netem_off(const char *ns)
{
	return stt_run("qdisc del dev veth0 root\n",
		       (char *const[]){ "tc", "-n", (char *)ns, "-batch", "-", NULL });
}

/* Move the calling thread into host @name ("stt-a" or "stt-b"); 0 on success. */
static inline int stt_enter(const char *name)
{
	char path[64];
	int fd, rc;

	snprintf(path, sizeof(path), STT_NETNS_DIR "/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = setns(fd, CLONE_NEWNET);
	close(fd);
	return rc;
}

/* Remove the hosts (and with them the veth pairs); quiet if absent. */
static inline void stt_hosts_down(void)
{
	static const char * const names[] = { "stt-a", "stt-b", "stt-r" };
	char path[64];
	unsigned int i;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), STT_NETNS_DIR "/%s", names[i]);
		if (!access(path, F_OK))
			stt_netns_del(names[i]);
	}
}

/*
 * In host @name: lo up and, when @dev is not NULL, @dev with @v4/24 (and
 * @v6/64 when not NULL) up.  Leaves the calling thread in @name.
 */
static inline int stt_host_addrs(const char *name, const char *dev,
				 const char *v4, const char *v6)
{
	if (stt_enter(name) || stt_nl_up("lo"))
		return -1;
	if (!dev)
		return 0;
	if (stt_nl_addr(dev, v4, 24) || (v6 && stt_nl_addr(dev, v6, 64)))
		return -1;
	return stt_nl_up(dev);
}

/*
 * Create the @n (at most 3) namespaces named in @names, run @wire with them
 * open (@fds, in the same order), and come back to the calling thread's
 * namespace.  0 on success.
 */
static inline int stt_hosts_build(const char * const *names, int n,
				  int (*wire)(const int *fds))
{
	int back, fds[3] = { -1, -1, -1 }, rc = -1, i;
	char path[64];

	stt_hosts_down();
	for (i = 0; i < n; i++)
		if (stt_netns_add(names[i]))
			return -1;
	back = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (back < 0)
		return -1;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), STT_NETNS_DIR "/%s", names[i]);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			goto out;
	}
	rc = wire(fds);
out:
	if (setns(back, CLONE_NEWNET))
		rc = -1;
	close(back);
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return rc;
}

/* stt-a's veth0 to stt-b's veth0, both addressed and up. */
static inline int stt_hosts_wire(const int *fds)
{
	if (stt_enter("stt-a") || stt_nl_veth("veth0", "veth0", fds[1]))
		return -1;
	if (stt_host_addrs("stt-a", "veth0", STT_A4, STT_A6))
		return -1;
	return stt_host_addrs("stt-b", "veth0", STT_B4, STT_B6);
}

/* Create the two hosts; 0 on success.  The calling thread stays where it is. */
static inline int stt_hosts_up(void)
{
	static const char * const names[] = { "stt-a", "stt-b" };

	return stt_hosts_build(names, 2, stt_hosts_wire);
}

/* The router's two links, its forwarding, and each host's default route. */
static inline int stt_routed_wire(const int *fds)
{
	int fd, ok;

	if (stt_enter("stt-r") || stt_nl_veth("to-a", "veth0", fds[0]) ||
	    stt_nl_veth("to-b", "veth0", fds[1]))
		return -1;
	if (stt_nl_addr("to-a", "192.0.2.254", 24) ||
	    stt_nl_addr("to-b", "198.51.100.254", 24) ||
	    stt_nl_up("to-a") || stt_nl_up("to-b") || stt_nl_up("lo"))
		return -1;
	/* /proc/sys/net is the namespace of whoever opens it. */
	fd = open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ok = write(fd, "1\n", 2) == 2;
	close(fd);
	if (!ok || stt_host_addrs("stt-a", "veth0", STT_A4, NULL) ||
	    stt_nl_default_route("192.0.2.254"))
		return -1;
	if (stt_host_addrs("stt-b", "veth0", "198.51.100.2", NULL))
		return -1;
	return stt_nl_default_route("198.51.100.254");
}

/*
 * The hosts behind a router: stt-a (192.0.2.1) and stt-r's "to-a"
 * (192.0.2.254) on one veth pair, stt-b (198.51.100.2) and stt-r's "to-b"
 * (198.51.100.254) on another, stt-r forwarding between them.  IPv4 only.
 * 0 on success.
 */
static inline int stt_routed_up(void)
{
	static const char * const names[] = { "stt-a", "stt-b", "stt-r" };

	return stt_hosts_build(names, 3, stt_routed_wire);
}

/* Put qdisc @spec (e.g. "tbf rate 8mbit ...") at the root of @ns's @dev. */
static inline int stt_qdisc(const char *ns, const char *dev, const char *spec)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "qdisc replace dev %s root %s\n", dev, spec);
	return stt_run(cmd, (char *const[]){ "tc", "-n", (char *)ns, "-batch", "-", NULL });
}

#endif /* _STT_NETNS_H */
