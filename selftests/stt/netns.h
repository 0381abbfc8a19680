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

/* Remove the two hosts (and with them the veth pair); quiet if absent. */
static inline void stt_hosts_down(void)
{
	if (!access("/run/netns/stt-a", F_OK))
		stt_ip_batch(NULL, "netns del stt-a\n");
	if (!access("/run/netns/stt-b", F_OK))
		stt_ip_batch(NULL, "netns del stt-b\n");
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

#endif /* _STT_NETNS_H */
