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
#include <stdlib.h>
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

/*
 * Counters that say what held an STT transfer back, read in both hosts:
 * the sender waiting (window, pacing, local queue, buffers), packets lost
 * and those found lost in vain, and every packet dropped on the way, by
 * STT (its drop_* reasons), by UDP (/proc/net/snmp) or by the backlog of
 * the CPU that received it (/proc/net/softnet_stat, the whole guest).
 */
static const char * const held_names[] = {
	"cwnd_blocked", "paced", "txq_throttled", "stream_window_blocked",
	"session_window_blocked", "sndbuf_mem_blocked", "packets_lost",
	"packets_lost_spurious", "rto_fired", "nacks_out", "acks_out",
	"acks_piggybacked", "udp_InErrors", "udp_RcvbufErrors",
	"udp_SndbufErrors", "softnet_dropped",
};

#define NR_HELD		ARRAY_SIZE(held_names)
/* Room for the drop_* reasons of /proc/net/stt/stats beside held_names[]. */
#define NR_PROBE	(NR_HELD + 48)

struct probe {
	char name[NR_PROBE][40];
	long long v[NR_PROBE];
	unsigned int n;
};

static void probe_set(struct probe *p, const char *k, long long x)
{
	unsigned int i;

	for (i = 0; i < NR_HELD; i++)
		if (!strcmp(k, held_names[i]))
			break;
	if (i == NR_HELD) {
		if (strncmp(k, "drop_", 5))
			return;
		for (i = NR_HELD; i < p->n; i++)
			if (!strcmp(k, p->name[i]))
				break;
		if (i == NR_PROBE)
			return;
		if (i == p->n)
			p->n++;
	}
	snprintf(p->name[i], sizeof(p->name[i]), "%s", k);
	p->v[i] = x;
}

/* What separates the fields of /proc/net/snmp. */
static const char probe_sep[] = "\n ";

/* UDP's InErrors, RcvbufErrors and SndbufErrors from /proc/net/snmp. */
static void probe_udp(struct probe *p)
{
	char head[1024], vals[1024], *hs, *vs, *h, *v;
	FILE *f = fopen("/proc/net/snmp", "r");

	if (!f)
		return;
	while (fgets(head, sizeof(head), f) && fgets(vals, sizeof(vals), f)) {
		if (strncmp(head, "Udp: ", 5))
			continue;
		h = strtok_r(head + 5, probe_sep, &hs);
		v = strtok_r(vals + 5, probe_sep, &vs);
		while (h && v) {
			char k[48];

			snprintf(k, sizeof(k), "udp_%s", h);
			probe_set(p, k, atoll(v));
			h = strtok_r(NULL, probe_sep, &hs);
			v = strtok_r(NULL, probe_sep, &vs);
		}
		break;
	}
	fclose(f);
}

/* Packets the CPUs' backlogs dropped (softnet_stat's second column). */
static void probe_softnet(struct probe *p)
{
	unsigned int processed, dropped;
	long long sum = 0;
	char line[256];
	FILE *f = fopen("/proc/net/softnet_stat", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%x %x", &processed, &dropped) == 2)
			sum += dropped;
	fclose(f);
	probe_set(p, "softnet_dropped", sum);
}

/*
 * The counters of the calling thread's namespace, into @p, and with
 * @softnet the whole guest's backlog drops.
 */
static void probe_read(struct probe *p, int softnet)
{
	char line[128], k[64];
	long long x;
	FILE *f = fopen("/proc/net/stt/stats", "r");

	memset(p, 0, sizeof(*p));
	p->n = NR_HELD;
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "%63s %lld", k, &x) == 2)
				probe_set(p, k, x);
		fclose(f);
	}
	probe_udp(p);
	if (softnet)
		probe_softnet(p);
}

/* " name delta" for each counter of @p1 that grew since @p0. */
static void probe_print(const struct probe *p0, const struct probe *p1)
{
	unsigned int i, j;

	for (i = 0; i < p1->n; i++) {
		long long was = 0;

		for (j = 0; j < p0->n; j++)
			if (!strcmp(p0->name[j], p1->name[i]))
				was = p0->v[j];
		if (p1->name[i][0] && p1->v[i] > was)
			printf(" %s %lld", p1->name[i], p1->v[i] - was);
	}
}

#endif /* _STT_BENCH_PROBE_H */
