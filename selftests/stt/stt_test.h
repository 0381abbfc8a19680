/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the STT selftests: building addresses and reading what the
 * kernel logged.
 */
#ifndef _STT_TEST_H
#define _STT_TEST_H

#include <arpa/inet.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/stt.h>

static inline struct sockaddr_stt stt_addr4(const char *ip, unsigned short port,
					    unsigned short stream)
{
	struct sockaddr_stt sa;

	memset(&sa, 0, sizeof(sa));
	sa.sstt_family = AF_STT;
	sa.sstt_addr_family = AF_INET;
	sa.sstt_port = htons(port);
	sa.sstt_stream = stream;
	inet_pton(AF_INET, ip, &sa.sstt_addr.v4);
	return sa;
}

static inline struct sockaddr_stt stt_addr6(const char *ip, unsigned short port,
					    unsigned short stream)
{
	struct sockaddr_stt sa;

	memset(&sa, 0, sizeof(sa));
	sa.sstt_family = AF_STT;
	sa.sstt_addr_family = AF_INET6;
	sa.sstt_port = htons(port);
	sa.sstt_stream = stream;
	inet_pton(AF_INET6, ip, &sa.sstt_addr.v6);
	return sa;
}

/* Open /dev/kmsg positioned after everything logged so far. */
static inline int stt_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* Whether a record logged since stt_kmsg_open() contains @needle. */
static inline int stt_kmsg_has(int fd, const char *needle)
{
	char rec[2048];
	ssize_t n;

	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0) {
		rec[n] = '\0';
		if (strstr(rec, needle))
			return 1;
	}
	return 0;
}

#endif /* _STT_TEST_H */
