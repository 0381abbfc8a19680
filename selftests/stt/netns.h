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

#define STT_A4 "192.0.2.1"
#define STT_B4 "192.0.2.2"
#define STT_A6 "2001:db8::1"
#define STT_B6 "2001:db8::2"

/*
 * Run @argv with @input (may be NULL) on its standard input; returns its exit
 * status.  No shell in between: under the debug kernel in an emulated guest
 * every exec costs over a second, so the helpers below spawn as few
 * processes as they can (one "ip -batch" per namespace).
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

/* Remove the hosts (and with them the veth pairs); quiet if absent. */
static inline void stt_hosts_down(void)
{
	if (!access("/run/netns/stt-a", F_OK))
		stt_ip_batch(NULL, "netns del stt-a\n");
	if (!access("/run/netns/stt-b", F_OK))
		stt_ip_batch(NULL, "netns del stt-b\n");
	if (!access("/run/netns/stt-r", F_OK))
		stt_ip_batch(NULL, "netns del stt-r\n");
}

/* Create the two hosts; 0 on success. */
static inline int stt_hosts_up(void)
{
	stt_hosts_down();
	if (stt_ip_batch(NULL, "netns add stt-a\nnetns add stt-b\n"))
		return -1;
	if (stt_ip_batch("stt-a",
			 "link add veth0 type veth peer name veth0 netns stt-b\n"
			 "link set lo up\n"
			 "addr add 192.0.2.1/24 dev veth0\n"
			 "addr add 2001:db8::1/64 dev veth0 nodad\n"
			 "link set veth0 up\n"))
		return -1;
	return stt_ip_batch("stt-b",
			    "link set lo up\n"
			    "addr add 192.0.2.2/24 dev veth0\n"
			    "addr add 2001:db8::2/64 dev veth0 nodad\n"
			    "link set veth0 up\n");
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

/*
 * The hosts behind a router: stt-a (192.0.2.1) and stt-r's "to-a"
 * (192.0.2.254) on one veth pair, stt-b (198.51.100.2) and stt-r's "to-b"
 * (198.51.100.254) on another, stt-r forwarding between them.  IPv4 only.
 * 0 on success.
 */
static inline int stt_routed_up(void)
{
	int back, fd, rc = -1;

	stt_hosts_down();
	if (stt_ip_batch(NULL, "netns add stt-a\nnetns add stt-b\nnetns add stt-r\n"))
		return -1;
	if (stt_ip_batch("stt-r",
			 "link add to-a type veth peer name veth0 netns stt-a\n"
			 "link add to-b type veth peer name veth0 netns stt-b\n"
			 "link set lo up\n"
			 "addr add 192.0.2.254/24 dev to-a\n"
			 "addr add 198.51.100.254/24 dev to-b\n"
			 "link set to-a up\n"
			 "link set to-b up\n"))
		return -1;
	if (stt_ip_batch("stt-a",
			 "link set lo up\n"
			 "addr add 192.0.2.1/24 dev veth0\n"
			 "link set veth0 up\n"
			 "route add default via 192.0.2.254\n"))
		return -1;
	if (stt_ip_batch("stt-b",
			 "link set lo up\n"
			 "addr add 198.51.100.2/24 dev veth0\n"
			 "link set veth0 up\n"
			 "route add default via 198.51.100.254\n"))
		return -1;
	/* /proc/sys/net is the namespace of whoever opens it. */
	back = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (back < 0)
		return -1;
	if (!stt_enter("stt-r")) {
		fd = open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);
		if (fd >= 0 && write(fd, "1\n", 2) == 2)
			rc = 0;
		if (fd >= 0)
			close(fd);
	}
	if (setns(back, CLONE_NEWNET))
		rc = -1;
	close(back);
	return rc;
}

/* Put qdisc @spec (e.g. "tbf rate 8mbit ...") at the root of @ns's @dev. */
static inline int stt_qdisc(const char *ns, const char *dev, const char *spec)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "qdisc replace dev %s root %s\n", dev, spec);
	return stt_run(cmd, (char *const[]){ "tc", "-n", (char *)ns, "-batch", "-", NULL });
}

#endif /* _STT_NETNS_H */
