// SPDX-License-Identifier: GPL-2.0
/*
 * stt: a small command line tool for STT.
 *
 *   stt listen  -k KEY ADDR PORT   listen for sessions until killed
 *   stt connect -k KEY ADDR PORT   open a session and report the outcome
 *   stt stats                      the non-zero counters of this namespace
 *
 * KEY is the 256-bit pre-shared key as 64 hex digits.  ADDR is an IPv4 or
 * IPv6 address.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/stt.h>

static int print_usage(void)
{
	fprintf(stderr,
		"usage: stt listen  -k KEY ADDR PORT\n"
		"       stt connect -k KEY ADDR PORT\n"
		"       stt stats\n"
		"KEY: 64 hex digits (256 bits)\n");
	return 2;
}

static int parse_key(const char *hex, unsigned char key[STT_PSK_LEN])
{
	int i;

	if (strlen(hex) != 2 * STT_PSK_LEN)
		return -1;
	for (i = 0; i < STT_PSK_LEN; i++)
		if (sscanf(hex + 2 * i, "%2hhx", &key[i]) != 1)
			return -1;
	return 0;
}

static int parse_addr(const char *ip, const char *port, struct sockaddr_stt *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sstt_family = AF_STT;
	sa->sstt_port = htons(atoi(port));
	if (inet_pton(AF_INET, ip, &sa->sstt_addr.v4) == 1) {
		sa->sstt_addr_family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, ip, &sa->sstt_addr.v6) == 1) {
		sa->sstt_addr_family = AF_INET6;
		return 0;
	}
	return -1;
}

static const char *addr_str(const struct sockaddr_stt *sa, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	inet_ntop(sa->sstt_addr_family, &sa->sstt_addr, ip, sizeof(ip));
	snprintf(buf, len, sa->sstt_addr_family == AF_INET6 ? "[%s]:%u" : "%s:%u",
		 ip, ntohs(sa->sstt_port));
	return buf;
}

static int show_stats(void)
{
	char line[128], name[64];
	unsigned long long v;
	FILE *f = fopen("/proc/net/stt/stats", "r");

	if (!f) {
		perror("/proc/net/stt/stats");
		return 1;
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %llu", name, &v) == 2 && v)
			printf("  %-26s %llu\n", name, v);
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char key[STT_PSK_LEN];
	struct sockaddr_stt sa, me, peer;
	socklen_t len = sizeof(me);
	char a[80], b[80];
	int fd;

	if (argc == 2 && !strcmp(argv[1], "stats"))
		return show_stats();
	if (argc != 6 || strcmp(argv[2], "-k") || parse_key(argv[3], key) ||
	    parse_addr(argv[4], argv[5], &sa))
		return print_usage();

	fd = socket(AF_STT, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_STT, STT_PSK, key, sizeof(key))) {
		perror("socket");
		return 1;
	}

	if (!strcmp(argv[1], "listen")) {
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 16)) {
			perror("listen");
			return 1;
		}
		printf("listening on %s\n", addr_str(&sa, a, sizeof(a)));
		fflush(stdout);
		pause();
		return 0;
	}
	if (strcmp(argv[1], "connect"))
		return print_usage();

	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		printf("connect to %s: %s (%s)\n", addr_str(&sa, a, sizeof(a)),
		       strerror(errno), errno == EKEYREJECTED ? "EKEYREJECTED" :
		       errno == ECONNREFUSED ? "ECONNREFUSED" :
		       errno == ETIMEDOUT ? "ETIMEDOUT" : "see errno");
		return 1;
	}
	getsockname(fd, (struct sockaddr *)&me, &len);
	len = sizeof(peer);
	getpeername(fd, (struct sockaddr *)&peer, &len);
	printf("connected %s -> %s: session %08x here, %08x at the peer\n",
	       addr_str(&me, a, sizeof(a)), addr_str(&peer, b, sizeof(b)),
	       me.sstt_session, peer.sstt_session);
	close(fd);
	return 0;
}
