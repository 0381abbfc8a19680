// SPDX-License-Identifier: GPL-2.0
/*
 * stt-bench: STT's speed as ratios against TCP and kTLS, all measured in one
 * run on one machine.  Not a test: run as root in a guest with stt.ko loaded
 * (tools/bench.sh, `make bench`).
 *
 * It makes the two hosts of the selftests, network namespaces stt-a
 * (192.0.2.1) and stt-b (192.0.2.2) joined by veth.  For each workload and
 * transport it opens fresh connections from stt-b to a listener in stt-a (on
 * a port of their own, so that every STT run starts a new session), then
 * threads move data, senders in stt-b and receivers in stt-a: first for a
 * fifth of the duration to warm up, then for the duration (-t, 5 s), which is
 * what is measured.
 *
 *   bulk      one connection; 64 KiB writes as fast as they go.  MB/s
 *             (10^6 bytes) read by the receiver while measured.
 *   streams4  four connections at once, each like bulk (STT: four streams of
 *             one session).  MB/s read by the four receivers together.
 *   rr        one connection with NODELAY on both ends; the sender writes a
 *             64-byte request and waits for the 64-byte answer, one at a
 *             time.  Round trips per second, median and 99th percentile
 *             round-trip time.
 *
 * For bulk and streams4 it also gives the CPU time the whole guest spent
 * per MB moved (sender and receiver together, from /proc/stat: every CPU's
 * time not idle), and first of all the one-core limit of each AEAD: what
 * one thread seals through AF_ALG in 1440-byte messages (an STT datagram's
 * payload) and in 16 KiB ones (a TLS record), so that every figure reads
 * against what the cipher allows on this machine.  After an STT bulk run it
 * prints the session's window, RTT and bytes in flight, and the counters of
 * what held the sender back while measured (/proc/net/stt/stats of stt-b).
 *
 * Transports: stt and stt-aes (AF_STT, ChaCha20-Poly1305 or AES-256-GCM),
 * tcp, ktls and ktls-aes (TCP with the kernel's TLS 1.3 record layer on both
 * ends, keyed directly with fixed test keys: ChaCha20-Poly1305 or
 * AES-256-GCM).  Ratios pair the same cipher: stt with ktls, stt-aes with
 * ktls-aes.  A kTLS the kernel lacks is reported and skipped; the exit code
 * is non-zero only when STT fails (or the hosts cannot be made).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <linux/tls.h>
#include <linux/stt.h>

#include "../selftests/stt/netns.h"
#include "stt-bench-probe.h"

#ifndef SOL_TLS
#define SOL_TLS		282
#endif
#ifndef TCP_ULP
#define TCP_ULP		31
#endif

#define PORT_BASE	7400		/* each run listens on the next port */
#define BUF_LEN		(64 << 10)	/* bulk write and read size */
#define RR_LEN		64		/* rr request and answer size */
#define MAX_FLOWS	4
#define IO_TIMEOUT	60		/* seconds a stalled send or recv waits */
#define MAX_SAMPLES	(2 << 20)	/* rr round-trip times kept */
#define NSEC		1000000000ULL

typedef unsigned long long u64;

enum kind { K_STT, K_TCP, K_KTLS };

struct transport {
	const char *name;
	enum kind kind;
	int cipher;		/* STT_CIPHER_* or TLS_CIPHER_* */
	int off;		/* not selected */
	int gone;		/* not available: skipped from then on */
};

static struct transport transports[] = {
	{ .name = "stt", .kind = K_STT, .cipher = STT_CIPHER_CHACHA20_POLY1305 },
#ifdef STT_CIPHER_AES_256_GCM
	{ .name = "stt-aes", .kind = K_STT, .cipher = STT_CIPHER_AES_256_GCM },
#endif
	{ .name = "tcp", .kind = K_TCP },
	{ .name = "ktls", .kind = K_KTLS, .cipher = TLS_CIPHER_CHACHA20_POLY1305 },
	{ .name = "ktls-aes", .kind = K_KTLS, .cipher = TLS_CIPHER_AES_GCM_256 },
};

#define NR_T	ARRAY_SIZE(transports)

struct workload {
	const char *name;
	int flows;
	int rr;
	int off;		/* not selected */
};

static struct workload workloads[] = {
	{ .name = "bulk", .flows = 1 },
	{ .name = "streams4", .flows = MAX_FLOWS },
	{ .name = "rr", .flows = 1, .rr = 1 },
};

#define NR_W	ARRAY_SIZE(workloads)

/* Ratios printed: STT transport against the other, same cipher family. */
static const char * const pairs[][2] = {
	{ "stt", "tcp" }, { "stt", "ktls" },
	{ "stt-aes", "tcp" }, { "stt-aes", "ktls-aes" },
};

struct result {
	int ok;
	double rate;		/* MB/s, or round trips per second */
	double p50_us, p99_us;	/* rr only */
	double cpu_ms_mb;	/* bulk: CPU ms of the guest per MB moved */
};

/* The AEADs whose one-core limit is measured; the transports using them. */
struct aead {
	const char *name;	/* as printed */
	const char *alg;	/* the crypto API's name */
	const char *stt;	/* the STT transport with it */
	double mbs[2];		/* MB/s sealing 1440 B and 16 KiB messages */
	int ok;
};

static struct aead aeads[] = {
	{ "chacha20-poly1305", "rfc7539(chacha20,poly1305)", "stt" },
	{ "aes-256-gcm", "gcm(aes)", "stt-aes" },
};

static const unsigned int aead_sizes[2] = { 1440, 16384 };

static struct result results[NR_W][NR_T];

static int find_transport(const char *name);

/* One connection: its two ends and what the threads on them saw. */
struct flow {
	int cli;		/* the sending end, in stt-b */
	int srv;		/* the receiving end, in stt-a */
	int snd_err;		/* errno of the thread on cli */
	int rcv_err;		/* errno of the thread on srv */
	u64 bytes;		/* bulk: bytes read (atomic) */
	u64 trips;		/* rr: round trips measured */
	u64 elapsed_ns;		/* rr: time they took */
	unsigned int *lat;	/* rr: round-trip times, ns */
	size_t nlat;
};

static const unsigned char psk[STT_PSK_LEN] = { 0x5e, 0xed, 0xbe, 0x4c };
static u64 duration_ns = 5 * NSEC, warmup_ns = NSEC;
static int stop_flag;
static int no_limits;	/* -L: the AEADs' limits are not measured */

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC + ts.tv_nsec;
}

static void sleep_until(u64 t)
{
	struct timespec ts = { .tv_sec = t / NSEC, .tv_nsec = t % NSEC };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* --- sockets -------------------------------------------------------------- */

static int set_int(int fd, int level, int opt, int val)
{
	return setsockopt(fd, level, opt, &val, sizeof(val));
}

/* A stalled send or recv on @fd fails after IO_TIMEOUT seconds. */
static int set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT };

	return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	       setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ? -1 : 0;
}

/* A new socket of @t (with the key and cipher for STT), or -errno. */
static int new_sock(const struct transport *t)
{
	int fd, err;

	fd = socket(t->kind == K_STT ? AF_STT : AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -errno;
	if (t->kind == K_STT ?
	    setsockopt(fd, SOL_STT, STT_PSK, psk, sizeof(psk)) ||
	    set_int(fd, SOL_STT, STT_CIPHER, t->cipher) :
	    set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* The address of host stt-a, @port, for @t; its length. */
static socklen_t a_addr(const struct transport *t, int port,
			struct sockaddr_storage *ss)
{
	struct sockaddr_stt *stt = (struct sockaddr_stt *)ss;
	struct sockaddr_in *in = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (t->kind == K_STT) {
		stt->sstt_family = AF_STT;
		stt->sstt_addr_family = AF_INET;
		stt->sstt_port = htons(port);
		inet_pton(AF_INET, STT_A4, &stt->sstt_addr.v4);
		return sizeof(*stt);
	}
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	inet_pton(AF_INET, STT_A4, &in->sin_addr);
	return sizeof(*in);
}

static int set_nodelay(const struct transport *t, int fd)
{
	return t->kind == K_STT ? set_int(fd, SOL_STT, STT_NODELAY, 1) :
				  set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1);
}

union tls_key {
	struct tls_crypto_info info;
	struct tls12_crypto_info_chacha20_poly1305 chacha;
	struct tls12_crypto_info_aes_gcm_256 aes;
};

/* The fixed TLS 1.3 key of direction @dir (0: stt-b to stt-a); its size. */
static socklen_t tls_key(int cipher, int dir, union tls_key *k)
{
	memset(k, 0, sizeof(*k));
	k->info.version = TLS_1_3_VERSION;
	k->info.cipher_type = cipher;
	if (cipher == TLS_CIPHER_AES_GCM_256) {
		memset(k->aes.key, 0x10 + dir, sizeof(k->aes.key));
		memset(k->aes.iv, 0x20 + dir, sizeof(k->aes.iv));
		memset(k->aes.salt, 0x30 + dir, sizeof(k->aes.salt));
		return sizeof(k->aes);
	}
	memset(k->chacha.key, 0x40 + dir, sizeof(k->chacha.key));
	memset(k->chacha.iv, 0x50 + dir, sizeof(k->chacha.iv));
	return sizeof(k->chacha);
}

/* Make connected TCP socket @fd a kTLS one; @client: the stt-b end. */
static int ktls_setup(int fd, int cipher, int client)
{
	union tls_key k;
	socklen_t len;

	if (setsockopt(fd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls")))
		return -1;
	len = tls_key(cipher, !client, &k);
	if (setsockopt(fd, SOL_TLS, TLS_TX, &k, len))
		return -1;
	len = tls_key(cipher, client, &k);
	return setsockopt(fd, SOL_TLS, TLS_RX, &k, len);
}

/*
 * Open @n connections of @t from host stt-b to a new listener of host stt-a
 * on @port, into f[].cli (stt-b) and f[].srv (stt-a).  Returns the listener,
 * or -errno with *what naming the step that failed; the caller closes the
 * sockets either way.
 */
static int open_flows(const struct transport *t, int port, struct flow *f,
		      int n, int nodelay, const char **what)
{
	struct sockaddr_storage ss;
	socklen_t len = a_addr(t, port, &ss);
	int lfd, i;

	*what = "entering stt-a";
	if (stt_enter("stt-a"))
		return -errno;
	*what = "listen";
	lfd = new_sock(t);
	if (lfd < 0)
		return lfd;
	if (bind(lfd, (struct sockaddr *)&ss, len) || listen(lfd, 16) ||
	    set_timeouts(lfd))
		goto fail;
	*what = "entering stt-b";
	if (stt_enter("stt-b"))
		goto fail;
	for (i = 0; i < n; i++) {
		*what = "connect";
		f[i].cli = new_sock(t);
		if (f[i].cli < 0) {
			errno = -f[i].cli;
			goto fail;
		}
		if (connect(f[i].cli, (struct sockaddr *)&ss, len))
			goto fail;
		*what = "accept";
		f[i].srv = accept(lfd, NULL, NULL);
		if (f[i].srv < 0)
			goto fail;
		*what = "setting options";
		if (set_timeouts(f[i].cli) || set_timeouts(f[i].srv) ||
		    (nodelay && (set_nodelay(t, f[i].cli) || set_nodelay(t, f[i].srv))))
			goto fail;
		*what = "kTLS setup";
		if (t->kind == K_KTLS && (ktls_setup(f[i].cli, t->cipher, 1) ||
					  ktls_setup(f[i].srv, t->cipher, 0)))
			goto fail;
	}
	return lfd;
fail:
	i = -errno;
	close(lfd);
	return i;
}

static void close_flows(struct flow *f, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (f[i].cli >= 0)
			close(f[i].cli);
		if (f[i].srv >= 0)
			close(f[i].srv);
		free(f[i].lat);
	}
}

/* --- the threads ---------------------------------------------------------- */

static void *bulk_send(void *arg)
{
	struct flow *f = arg;
	char *buf = calloc(1, BUF_LEN);
	ssize_t n;

	if (!buf)
		f->snd_err = ENOMEM;
	while (buf && !__atomic_load_n(&stop_flag, __ATOMIC_RELAXED)) {
		n = send(f->cli, buf, BUF_LEN, MSG_NOSIGNAL);
		if (n < 0 && errno != EINTR) {
			f->snd_err = errno;
			break;
		}
	}
	if (shutdown(f->cli, SHUT_WR) && !f->snd_err)
		f->snd_err = errno;
	free(buf);
	return NULL;
}

/* Read until the end of the stream, which must not come before the stop. */
static void *bulk_recv(void *arg)
{
	struct flow *f = arg;
	char *buf = malloc(BUF_LEN);
	ssize_t n;

	if (!buf)
		f->rcv_err = ENOMEM;
	while (buf) {
		n = recv(f->srv, buf, BUF_LEN, 0);
		if (n > 0) {
			__atomic_fetch_add(&f->bytes, n, __ATOMIC_RELAXED);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			f->rcv_err = errno;
		else if (!__atomic_load_n(&stop_flag, __ATOMIC_RELAXED))
			f->rcv_err = EPIPE;
		break;
	}
	free(buf);
	return NULL;
}

static int write_full(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		p += n;
		len -= n;
	}
	return 0;
}

/* Read exactly @len bytes: 0, -1 at the end of the stream before any, or errno. */
static int read_full(int fd, char *p, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = recv(fd, p + got, len - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (!n)
			return got ? EPIPE : -1;
		got += n;
	}
	return 0;
}

/* rr, sending side: requests until the time is up, timing each answer. */
static void *rr_client(void *arg)
{
	struct flow *f = arg;
	u64 t0 = now_ns() + warmup_ns, t1 = t0 + duration_ns, a, b, first = 0, last = 0;
	char buf[RR_LEN] = { 0 };
	int err;

	f->lat = malloc(MAX_SAMPLES * sizeof(*f->lat));
	for (;;) {
		a = now_ns();
		if (a >= t1)
			break;
		err = write_full(f->cli, buf, RR_LEN);
		if (!err)
			err = read_full(f->cli, buf, RR_LEN);
		if (err) {
			f->snd_err = err < 0 ? EPIPE : err;
			break;
		}
		b = now_ns();
		if (a < t0)
			continue;
		if (!f->trips)
			first = a;
		last = b;
		f->trips++;
		if (f->lat && f->nlat < MAX_SAMPLES)
			f->lat[f->nlat++] = b - a;
	}
	f->elapsed_ns = last - first;
	if (shutdown(f->cli, SHUT_WR) && !f->snd_err)
		f->snd_err = errno;
	return NULL;
}

/* rr, answering side: each request back, until the end of the stream. */
static void *rr_server(void *arg)
{
	struct flow *f = arg;
	char buf[RR_LEN];
	int err;

	for (;;) {
		err = read_full(f->srv, buf, RR_LEN);
		if (!err)
			err = write_full(f->srv, buf, RR_LEN);
		if (err) {
			f->rcv_err = err < 0 ? 0 : err;
			break;
		}
	}
	return NULL;
}

static void spawn(pthread_t *th, void *(*fn)(void *), struct flow *f)
{
	int err = pthread_create(th, NULL, fn, f);

	if (err) {
		fprintf(stderr, "stt-bench: pthread_create: %s\n", strerror(err));
		exit(1);
	}
}

/* --- CPU time and the AEAD limit ------------------------------------------ */

/* Each AEAD's one-core limit, printed. */
static void measure_aeads(void)
{
	unsigned int a, k;
	double r;

	for (a = 0; a < ARRAY_SIZE(aeads); a++) {
		if (transports[find_transport(aeads[a].stt)].off)
			continue;
		aeads[a].ok = 1;
		for (k = 0; k < 2; k++) {
			r = aead_rate(aeads[a].alg, aead_sizes[k],
				      duration_ns / 2);
			if (r < 0) {
				printf("aead      %-17s not available (AF_ALG: %s)\n",
				       aeads[a].name, strerror(-r));
				aeads[a].ok = 0;
				break;
			}
			aeads[a].mbs[k] = r;
		}
		if (aeads[a].ok)
			printf("aead      %-17s one core: %.1f MB/s (1440 B), %.1f (16 KiB)\n",
			       aeads[a].name, aeads[a].mbs[0], aeads[a].mbs[1]);
	}
	fflush(stdout);
}

/* --- what held an STT sender back ------------------------------------------ */

/*
 * The counters of both hosts, into @p[0] (the sender's namespace, which the
 * caller is in) and @p[1] (the receiver's, stt-a).  softnet_stat is the
 * whole guest's: counted in the sender's only.
 */
static void held_read(struct probe *p)
{
	int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	probe_read(&p[0], 1);
	memset(&p[1], 0, sizeof(p[1]));
	if (home < 0)
		return;
	if (!stt_enter("stt-a"))
		probe_read(&p[1], 0);
	if (setns(home, CLONE_NEWNET))
		perror("stt-bench: back to the sender's namespace");
	close(home);
}

/*
 * For an STT bulk run: the session's window, RTT and bytes in flight at the
 * end, and what the counters of both hosts say held the transfer back while
 * measured.
 */
static void held_print(const struct workload *w, const struct transport *t,
		       int fd, const struct probe *p0, const struct probe *p1)
{
	struct stt_info in;
	socklen_t len = sizeof(in);

	memset(&in, 0, sizeof(in));
	if (getsockopt(fd, SOL_STT, STT_INFO, &in, &len))
		return;
	printf("%-9s %-9s cwnd %llu B, srtt %llu us, in flight %llu B, peer window %llu B\n",
	       w->name, t->name, (unsigned long long)in.stti_cwnd,
	       (unsigned long long)in.stti_srtt_us,
	       (unsigned long long)in.stti_in_flight,
	       (unsigned long long)in.stti_snd_window);
	printf("%-9s %-9s sender:", w->name, t->name);
	probe_print(&p0[0], &p1[0]);
	printf("\n%-9s %-9s receiver:", w->name, t->name);
	probe_print(&p0[1], &p1[1]);
	printf("\n");
}

/* --- one run -------------------------------------------------------------- */

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

static u64 bytes_read(struct flow *f, int n)
{
	u64 sum = 0;
	int i;

	for (i = 0; i < n; i++)
		sum += __atomic_load_n(&f[i].bytes, __ATOMIC_RELAXED);
	return sum;
}

/* The first error of the run, printed; 0 if none. */
static int run_error(const struct workload *w, const struct transport *t,
		     struct flow *f, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (!f[i].snd_err && !f[i].rcv_err)
			continue;
		printf("%-9s %-9s FAILED: connection %d: sender %s, receiver %s\n",
		       w->name, t->name, i + 1,
		       f[i].snd_err ? strerror(f[i].snd_err) : "fine",
		       f[i].rcv_err ? strerror(f[i].rcv_err) : "fine");
		return -1;
	}
	return 0;
}

/*
 * Run workload @w over transport @t on @port into @r.  Returns 0, 1 when @t
 * turns out not to be available, or -1 when the run failed.
 */
static int run(const struct workload *w, struct transport *t, int port,
	       struct result *r)
{
	struct flow f[MAX_FLOWS];
	pthread_t th[2 * MAX_FLOWS];
	const char *what;
	u64 b0 = 0, b1 = 0, t0, t1;
	double c0 = 0, c1 = 0;
	struct probe h0[2], h1[2];
	int lfd, i, rc;

	memset(f, 0, sizeof(f));
	for (i = 0; i < w->flows; i++) {
		f[i].cli = -1;
		f[i].srv = -1;
	}
	lfd = open_flows(t, port, f, w->flows, w->rr, &what);
	if (lfd < 0) {
		close_flows(f, w->flows);
		if (t->kind == K_KTLS && !strcmp(what, "kTLS setup")) {
			printf("%s: not available (%s)\n", t->name, strerror(-lfd));
			t->gone = 1;
			return 1;
		}
		printf("%-9s %-9s FAILED: %s: %s\n", w->name, t->name, what,
		       strerror(-lfd));
		return -1;
	}

	__atomic_store_n(&stop_flag, 0, __ATOMIC_RELAXED);
	for (i = 0; i < w->flows; i++) {
		spawn(&th[2 * i], w->rr ? rr_server : bulk_recv, &f[i]);
		spawn(&th[2 * i + 1], w->rr ? rr_client : bulk_send, &f[i]);
	}
	t0 = now_ns() + warmup_ns;
	t1 = t0 + duration_ns;
	if (!w->rr) {
		sleep_until(t0);
		b0 = bytes_read(f, w->flows);
		c0 = cpu_busy_ms();
		held_read(h0);
		t0 = now_ns();
		sleep_until(t1);
		b1 = bytes_read(f, w->flows);
		c1 = cpu_busy_ms();
		held_read(h1);
		t1 = now_ns();
		__atomic_store_n(&stop_flag, 1, __ATOMIC_RELAXED);
	}
	for (i = 0; i < 2 * w->flows; i++)
		pthread_join(th[i], NULL);

	rc = run_error(w, t, f, w->flows);
	if (!rc && w->rr && (!f[0].trips || !f[0].nlat)) {
		printf("%-9s %-9s FAILED: no round trip measured\n", w->name, t->name);
		rc = -1;
	}
	if (!rc && w->rr) {
		qsort(f[0].lat, f[0].nlat, sizeof(*f[0].lat), cmp_uint);
		r->rate = f[0].elapsed_ns ? f[0].trips * 1e9 / f[0].elapsed_ns : 0;
		r->p50_us = f[0].lat[f[0].nlat / 2] / 1e3;
		r->p99_us = f[0].lat[f[0].nlat * 99 / 100] / 1e3;
		printf("%-9s %-9s %10.0f round trips/s  median %.1f us  p99 %.1f us\n",
		       w->name, t->name, r->rate, r->p50_us, r->p99_us);
	} else if (!rc) {
		r->rate = (b1 - b0) * 1e3 / (t1 - t0);
		r->cpu_ms_mb = b1 > b0 ? (c1 - c0) * 1e6 / (b1 - b0) : 0;
		printf("%-9s %-9s %10.1f MB/s  CPU %.1f ms per MB\n", w->name,
		       t->name, r->rate, r->cpu_ms_mb);
		if (t->kind == K_STT)
			held_print(w, t, f[0].cli, h0, h1);
	}
	r->ok = !rc;
	fflush(stdout);
	close_flows(f, w->flows);
	close(lfd);
	return rc;
}

/* --- results -------------------------------------------------------------- */

static int find_transport(const char *name)
{
	unsigned int i;

	for (i = 0; i < NR_T; i++)
		if (!strcmp(transports[i].name, name))
			return i;
	return -1;
}

/* @w's ratio of pairs[@p] into @buf: "0.42", or "n/a". */
static const char *ratio(unsigned int w, unsigned int p, char *buf, size_t len)
{
	int a = find_transport(pairs[p][0]), b = find_transport(pairs[p][1]);

	if (a < 0 || b < 0 || !results[w][a].ok || !results[w][b].ok ||
	    results[w][b].rate <= 0)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.2f", results[w][a].rate / results[w][b].rate);
	return buf;
}

/* A table's title and its head: one column for each pair of transports. */
static void print_pairs_header(const char *title)
{
	char name[40];
	unsigned int p;

	printf("\n%s\n%-9s", title, "");
	for (p = 0; p < ARRAY_SIZE(pairs); p++) {
		snprintf(name, sizeof(name), "%s/%s", pairs[p][0], pairs[p][1]);
		printf(" %16s", name);
	}
	printf("\n");
}

/*
 * CPU time per MB against the other transport of each pair (< 1: STT
 * cheaper), and each STT transport's bulk rate against its AEAD's one-core
 * limit.
 */
static void print_cpu_and_limits(void)
{
	unsigned int w, p, a;
	int x, y;

	print_pairs_header("CPU per MB moved, STT against the other (< 1: STT cheaper)");
	for (w = 0; w < NR_W; w++) {
		if (workloads[w].off || workloads[w].rr)
			continue;
		printf("%-9s", workloads[w].name);
		for (p = 0; p < ARRAY_SIZE(pairs); p++) {
			x = find_transport(pairs[p][0]);
			y = find_transport(pairs[p][1]);
			if (x < 0 || y < 0 || !results[w][x].ok ||
			    !results[w][y].ok || results[w][y].cpu_ms_mb <= 0)
				printf(" %16s", "n/a");
			else
				printf(" %16.2f", results[w][x].cpu_ms_mb /
						  results[w][y].cpu_ms_mb);
		}
		printf("\n");
	}
	for (a = 0; a < ARRAY_SIZE(aeads); a++) {
		x = find_transport(aeads[a].stt);
		for (w = 0; w < NR_W; w++) {
			if (!aeads[a].ok || workloads[w].off || workloads[w].rr ||
			    x < 0 || !results[w][x].ok)
				continue;
			printf("%-9s %-9s %.2f of the AEAD's limit (16 KiB), %.2f (1440 B)\n",
			       workloads[w].name, aeads[a].stt,
			       results[w][x].rate / aeads[a].mbs[1],
			       results[w][x].rate / aeads[a].mbs[0]);
		}
	}
}

static void print_ratios(void)
{
	char buf[16];
	unsigned int w, p;

	print_pairs_header("ratios (> 1: STT faster; rr: round trips per second)");
	for (w = 0; w < NR_W; w++) {
		if (workloads[w].off)
			continue;
		printf("%-9s", workloads[w].name);
		for (p = 0; p < ARRAY_SIZE(pairs); p++)
			printf(" %16s", ratio(w, p, buf, sizeof(buf)));
		printf("\n");
	}
	print_cpu_and_limits();
	printf("bench:");
	for (w = 0; w < NR_W; w++) {
		if (workloads[w].off)
			continue;
		printf(" %s", workloads[w].name);
		for (p = 0; p < ARRAY_SIZE(pairs); p++)
			printf(" %s/%s=%s", pairs[p][0], pairs[p][1],
			       ratio(w, p, buf, sizeof(buf)));
	}
	printf("\n");
}

/* --- main ----------------------------------------------------------------- */

static int print_usage(void)
{
	unsigned int i;

	fprintf(stderr,
		"usage: stt-bench [-t SECONDS] [-L] [-w WORKLOAD]... [-T TRANSPORT]...\n"
		"Measures STT against TCP and kTLS between network namespaces stt-a and\n"
		"stt-b, which it makes (run as root, with stt.ko loaded).\n"
		"  -t SECONDS    time measured per run (default 5), after a fifth of it\n"
		"                to warm up\n"
		"  -L            do not measure the AEADs' one-core limits first\n"
		"  -w WORKLOAD   bulk, streams4 or rr (default: all)\n"
		"  -T TRANSPORT  ");
	for (i = 0; i < NR_T; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", transports[i].name);
	fprintf(stderr, " (default: all)\n");
	return 2;
}

/* Select workload @name, the only ones selected being those named so far. */
static int pick_workload(const char *name, int *first)
{
	unsigned int i;

	for (i = 0; *first && i < NR_W; i++)
		workloads[i].off = 1;
	*first = 0;
	for (i = 0; i < NR_W; i++) {
		if (!strcmp(workloads[i].name, name)) {
			workloads[i].off = 0;
			return 1;
		}
	}
	fprintf(stderr, "stt-bench: no workload '%s'\n", name);
	return 0;
}

/* Select transport @name, the only ones selected being those named so far. */
static int pick_transport(const char *name, int *first)
{
	unsigned int i;

	for (i = 0; *first && i < NR_T; i++)
		transports[i].off = 1;
	*first = 0;
	for (i = 0; i < NR_T; i++) {
		if (!strcmp(transports[i].name, name)) {
			transports[i].off = 0;
			return 1;
		}
	}
	fprintf(stderr, "stt-bench: no transport '%s'\n", name);
	return 0;
}

int main(int argc, char **argv)
{
	int first_w = 1, first_t = 1, port = PORT_BASE, stt_failed = 0, home, opt, rc;
	unsigned int w, t;
	double secs;
	char *end;

	while ((opt = getopt(argc, argv, "t:w:T:Lh")) != -1) {
		switch (opt) {
		case 't':
			secs = strtod(optarg, &end);
			if (*end || !(secs > 0 && secs <= 3600))
				return print_usage();
			duration_ns = secs * NSEC;
			warmup_ns = duration_ns / 5;
			break;
		case 'w':
			if (!pick_workload(optarg, &first_w))
				return print_usage();
			break;
		case 'T':
			if (!pick_transport(optarg, &first_t))
				return print_usage();
			break;
		case 'L':
			no_limits = 1;
			break;
		default:
			return print_usage();
		}
	}
	if (optind != argc)
		return print_usage();

	signal(SIGPIPE, SIG_IGN);
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0 || stt_hosts_up()) {
		fprintf(stderr, "stt-bench: cannot make hosts stt-a and stt-b (root? iproute2?)\n");
		return 1;
	}
	printf("stt-bench: %.1f s measured per run, after %.1f s of warm-up;\n"
	       "receivers in stt-a, senders in stt-b\n",
	       (double)duration_ns / NSEC, (double)warmup_ns / NSEC);
	fflush(stdout);
	if (!no_limits)
		measure_aeads();
	for (w = 0; w < NR_W; w++) {
		for (t = 0; t < NR_T; t++) {
			if (workloads[w].off || transports[t].off || transports[t].gone)
				continue;
			rc = run(&workloads[w], &transports[t], port++, &results[w][t]);
			if (rc < 0 && transports[t].kind == K_STT)
				stt_failed = 1;
		}
	}
	if (setns(home, CLONE_NEWNET))
		perror("stt-bench: back to the first namespace");
	close(home);
	stt_hosts_down();
	print_ratios();
	return stt_failed;
}
