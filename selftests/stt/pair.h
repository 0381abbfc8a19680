/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the two-host stream tests share: the "pair" fixture (namespaces stt-a
 * and stt-b joined by veth, a listener on stt-a, the test itself in stt-b,
 * over IPv4 and IPv6), sockets with the test key, counters and sysctls of
 * either host, and transfers whose every byte is a function of its offset,
 * sent and checked (byte by byte, and by SHA-256) by threads.  Include after
 * kselftest_harness.h.
 */
#ifndef _STT_PAIR_H
#define _STT_PAIR_H

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "stt_test.h"
#include "netns.h"
#include "sha256.h"

#define PORT	7002
#define PORT_B	7003

static const unsigned char key[STT_PSK_LEN] = { 0x5e, 0xed, 0x07 };

typedef unsigned long long u64;

/* The debug kernel (KASAN, kmemleak...), some 30 times slower: smaller runs. */
static inline int debug_kernel(void)
{
	return !access("/sys/kernel/debug/kmemleak", F_OK);
}

/* CLOCK_MONOTONIC in milliseconds. */
static inline long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static inline long long stt_stat(const char *name)
{
	char line[128], k[64];
	long long v, found = -1;
	FILE *f = fopen("/proc/net/stt/stats", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld", k, &v) == 2 && !strcmp(k, name))
			found = v;
	fclose(f);
	return found;
}

static inline int in_ns(const char *ns, int (*fn)(const char *, long),
			const char *a, long b)
{
	int back = open("/proc/self/ns/net", O_RDONLY), rc;

	if (back < 0 || stt_enter(ns))
		return -1;
	rc = fn(a, b);
	setns(back, CLONE_NEWNET);
	close(back);
	return rc;
}

static inline int write_sysctl(const char *name, long val)
{
	char path[128], buf[32];
	int fd, n, rc;

	snprintf(path, sizeof(path), "/proc/sys/net/stt/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%ld\n", val);
	rc = write(fd, buf, n) == n ? 0 : -errno;
	close(fd);
	return rc;
}

static inline int get_stat(const char *name, long unused)
{
	return (int)stt_stat(name);
}

static inline int sysctl_in(const char *ns, const char *name, long val)
{
	return in_ns(ns, write_sysctl, name, val);
}

static inline long long stat_in(const char *ns, const char *name)
{
	return in_ns(ns, get_stat, name, 0);
}

static inline int stt_sock(int type)
{
	int fd = socket(AF_STT, type, 0);

	if (fd >= 0 && setsockopt(fd, SOL_STT, STT_PSK, key, sizeof(key))) {
		close(fd);
		return -1;
	}
	return fd;
}

static inline int do_connect(int fd, const struct sockaddr_stt *sa)
{
	return connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) ? errno : 0;
}

/* Read exactly @len bytes; 0 on success. */
static inline int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	while (len) {
		n = recv(fd, p, len, 0);
		if (n <= 0)
			return n ? -errno : -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

static inline int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

/* The bytes of a test stream: a function of the offset and a seed. */
static inline unsigned char pattern(u64 off, unsigned int seed)
{
	u64 x = (off / 8 + 1) * 0x9e3779b97f4a7c15ULL + seed;

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 32;
	return x >> (8 * (off % 8));
}

static inline void fill(unsigned char *buf, size_t len, u64 off, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = pattern(off + i, seed);
}

struct xfer {
	int fd;
	u64 len;
	unsigned int seed;
	size_t chunk;
	unsigned char sha[32];	/* SHA-256 of what was sent or received */
	u64 bad;		/* received bytes that differ from the pattern */
	int err;
	int shut;		/* sender: shutdown(SHUT_WR) once all is sent */
};

static inline void *sender(void *arg)
{
	struct xfer *x = arg;
	unsigned char *buf = malloc(x->chunk);
	struct sha256 c;
	u64 off = 0;
	size_t n;

	sha256_init(&c);
	while (buf && off < x->len) {
		n = x->len - off < x->chunk ? x->len - off : x->chunk;
		fill(buf, n, off, x->seed);
		sha256_update(&c, buf, n);
		x->err = write_full(x->fd, buf, n);
		if (x->err)
			break;
		off += n;
	}
	if (x->shut && !x->err && shutdown(x->fd, SHUT_WR))
		x->err = -errno;
	sha256_final(&c, x->sha);
	free(buf);
	return NULL;
}

/* Receive until the end of the stream; x->len is what arrived. */
static inline void *receiver(void *arg)
{
	struct xfer *x = arg;
	unsigned char *buf = malloc(x->chunk);
	struct sha256 c;
	u64 off = 0;
	ssize_t n, i;

	sha256_init(&c);
	while (buf) {
		n = recv(x->fd, buf, x->chunk, 0);
		if (n <= 0) {
			x->err = n ? -errno : 0;
			break;
		}
		for (i = 0; i < n; i++)
			x->bad += buf[i] != pattern(off + i, x->seed);
		sha256_update(&c, buf, n);
		off += n;
	}
	x->len = off;
	sha256_final(&c, x->sha);
	free(buf);
	return NULL;
}

/*
 * A stall fails the test in 30 s instead of hanging it: senders and
 * receivers wait that long at most, and the counters say where data went.
 */
static inline void stall_guard(int fd)
{
	struct timeval tv = { .tv_sec = 30 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static inline void log_drops(struct __test_metadata *_metadata)
{
	static const char * const names[] = {
		"drop_auth", "drop_key_phase", "drop_replay", "drop_frame",
		"drop_no_stream", "drop_flow_control", "drop_nomem", "tx_errors",
		"rekeys", "stream_window_blocked", "data_out_of_order",
		"acks_out", "packets_lost", "retransmits", "rto_fired",
		"ctl_retransmits", "cwnd_blocked", "sent_untracked",
		"drop_ack_invalid", "packets_lost_spurious", "nacks_in",
		"drop_duplicate", "drop_stream_closed", "mem_pressure",
		"sndbuf_mem_blocked", "session_window_blocked",
		"drop_session_flow", "paced",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		TH_LOG("%-22s a %lld, b %lld", names[i],
		       stat_in("stt-a", names[i]), stat_in("stt-b", names[i]));
}

/* What a stream's STT_INFO says, for a failing test's log. */
static inline void log_info(struct __test_metadata *_metadata, const char *who,
			    int fd)
{
	struct stt_info in;
	socklen_t len = sizeof(in);

	if (getsockopt(fd, SOL_STT, STT_INFO, &in, &len)) {
		TH_LOG("%s: STT_INFO: %s", who, strerror(errno));
		return;
	}
	TH_LOG("%s: stream %u state %u sent %llu rcvd %llu retrans %llu",
	       who, in.stti_stream, in.stti_state,
	       (unsigned long long)in.stti_bytes_sent,
	       (unsigned long long)in.stti_bytes_received,
	       (unsigned long long)in.stti_bytes_retrans);
	TH_LOG("%s: snd_queued %llu snd_window %llu rcv_queued %llu rcv_window %llu",
	       who, (unsigned long long)in.stti_snd_queued,
	       (unsigned long long)in.stti_snd_window,
	       (unsigned long long)in.stti_rcv_queued,
	       (unsigned long long)in.stti_rcv_window);
}

FIXTURE(pair) {
	int srv;
	struct sockaddr_stt srv_addr;
	struct sockaddr_stt b_addr;
};

FIXTURE_VARIANT(pair) {
	int v6;
};

FIXTURE_VARIANT_ADD(pair, ipv4) { .v6 = 0 };
FIXTURE_VARIANT_ADD(pair, ipv6) { .v6 = 1 };

static inline int listener(const struct sockaddr_stt *sa, int type)
{
	int fd = stt_sock(type);

	if (fd < 0 || bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) ||
	    listen(fd, 512)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

FIXTURE_SETUP(pair)
{
	ASSERT_EQ(0, stt_hosts_up());
	self->srv_addr = variant->v6 ? stt_addr6(STT_A6, PORT, 0) :
				       stt_addr4(STT_A4, PORT, 0);
	self->b_addr = variant->v6 ? stt_addr6(STT_B6, PORT_B, 0) :
				     stt_addr4(STT_B4, PORT_B, 0);
	ASSERT_EQ(0, stt_enter("stt-a"));
	self->srv = listener(&self->srv_addr, SOCK_STREAM);
	ASSERT_LE(0, self->srv);
	ASSERT_EQ(0, stt_enter("stt-b"));
}

FIXTURE_TEARDOWN(pair)
{
	close(self->srv);
	stt_hosts_down();
}

/* Open a stream from host b to @lfd's address; *acc gets the accepted end. */
static inline int open_stream(int lfd, const struct sockaddr_stt *to,
			      int type, int *acc)
{
	int fd = stt_sock(type);

	if (fd < 0 || do_connect(fd, to))
		return -1;
	*acc = accept(lfd, NULL, NULL);
	return *acc < 0 ? -1 : fd;
}

#endif /* _STT_PAIR_H */
