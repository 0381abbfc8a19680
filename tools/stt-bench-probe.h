/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What stt-bench measures beside the transports: the guest's CPU time, what
 * one thread seals through AF_ALG, and the counters that say what held an
 * STT sender back.  Included by stt-bench.c only.
 */
#ifndef _STT_BENCH_PROBE_H
#define _STT_BENCH_PROBE_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/if_alg.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#ifndef SOL_ALG
#define SOL_ALG		279
#endif

/* The time now, CLOCK_MONOTONIC, in ns. */
static unsigned long long probe_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* CPU time all CPUs spent not idle since boot, in ms (/proc/stat). */
static double cpu_busy_ms(void)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n < 7)
		return 0;
	/* user nice system idle iowait irq softirq steal: all but idle. */
	return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) * 1e3 /
	       sysconf(_SC_CLK_TCK);
}

/*
 * One thread sealing @len-byte messages (16 bytes of associated data, a
 * 12-byte nonce) with AF_ALG's @alg for @ns; MB/s of plaintext, or -errno.
 */
static double aead_rate(const char *alg, unsigned int len,
			unsigned long long ns)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG, .salg_type = "aead" };
	char cbuf[CMSG_SPACE(4) + CMSG_SPACE(sizeof(struct af_alg_iv) + 12) +
		  CMSG_SPACE(4)] = { 0 };
	static unsigned char in[16 + 16384], out[16 + 16384 + 16];
	unsigned char key[32] = { 1 };
	struct iovec iov = { .iov_base = in, .iov_len = 16 + len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct af_alg_iv *iv;
	struct cmsghdr *c;
	unsigned long long t0, t, done = 0;
	int tfm, op = -1, err = 0;

	snprintf((char *)sa.salg_name, sizeof(sa.salg_name), "%s", alg);
	tfm = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (tfm < 0)
		return -errno;
	if (bind(tfm, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(tfm, SOL_ALG, ALG_SET_KEY, key, sizeof(key)) ||
	    setsockopt(tfm, SOL_ALG, ALG_SET_AEAD_AUTHSIZE, NULL, 16))
		goto fail;
	op = accept(tfm, NULL, 0);
	if (op < 0)
		goto fail;
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_OP;
	c->cmsg_len = CMSG_LEN(4);
	*(__u32 *)CMSG_DATA(c) = ALG_OP_ENCRYPT;
	c = CMSG_NXTHDR(&msg, c);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_IV;
	c->cmsg_len = CMSG_LEN(sizeof(*iv) + 12);
	iv = (struct af_alg_iv *)CMSG_DATA(c);
	iv->ivlen = 12;
	c = CMSG_NXTHDR(&msg, c);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_AEAD_ASSOCLEN;
	c->cmsg_len = CMSG_LEN(4);
	*(__u32 *)CMSG_DATA(c) = 16;
	t0 = probe_now_ns();
	do {
		if (sendmsg(op, &msg, 0) != (ssize_t)(16 + len) ||
		    read(op, out, 16 + len + 16) != (ssize_t)(16 + len + 16))
			goto fail;
		done += len;
		iv->iv[0]++;
		t = probe_now_ns();
	} while (t - t0 < ns);
	close(op);
	close(tfm);
	return done * 1e3 / (t - t0);
fail:
	err = -errno;
	if (op >= 0)
		close(op);
	close(tfm);
	return err ? err : -EIO;
}

/* Counters of the sender's namespace that say what an STT sender waited on. */
static const char * const held_names[] = {
	"cwnd_blocked", "paced", "txq_throttled", "stream_window_blocked",
	"session_window_blocked", "sndbuf_mem_blocked", "packets_lost",
	"rto_fired",
};

#define NR_HELD	ARRAY_SIZE(held_names)

/* The counters of /proc/net/stt/stats named in held_names[], into @v. */
static void held_read(long long *v)
{
	char line[128], k[64];
	long long x;
	unsigned int i;
	FILE *f = fopen("/proc/net/stt/stats", "r");

	memset(v, 0, NR_HELD * sizeof(*v));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %lld", k, &x) != 2)
			continue;
		for (i = 0; i < NR_HELD; i++)
			if (!strcmp(k, held_names[i]))
				v[i] = x;
	}
	fclose(f);
}

#endif /* _STT_BENCH_PROBE_H */
