// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile peer inside authenticated sessions: tools/sttpeer seals frames
 * no honest node sends, so only the receiver's frame checks and bounds
 * stand in the way.  Host stt-a runs the module under attack, with a small
 * memory limit (net.stt.mem_max_kbytes 1024) and small stream windows
 * (net.stt.stream_rcvbuf 16384); the peer runs on stt-b, and beside it an
 * honest session, module to module on another port, moves data to stt-a
 * for the whole attack and must arrive intact.  Each case:
 *
 * - overlap: one-byte DATA frames, overlapping and out of order, within
 *   the stream's window, for 10 s (3 s under the debug kernel); the reader
 *   of the attacked stream gets exactly the pattern the peer sent;
 * - wrap: DATA at offset 2^64 - 1 with 2 bytes, final sizes near 2^64 in
 *   STREAM_FIN, DATA with FIN and STREAM_RESET, final sizes below what
 *   arrived; each case must move a named drop counter;
 * - acks: ACK and NACK frames with the widest ranges, as many as fit in
 *   each packet, while stt-a sends the peer data that must arrive intact;
 * - fuzz: 10^5 mutated frames (10^4 under the debug kernel), sealed so
 *   that they pass the AEAD; the fuzzed session survives or is closed
 *   with a counted reason.
 *
 * Each case prints the peak of stt-a's /proc/net/stt/memory and of Slab in
 * /proc/meminfo, and every counter of stt-a that moved, and checks them
 * against the bounds.
 */
#include <stdatomic.h>

#include "kselftest_harness.h"
#include "pair.h"
#include "peer.h"

#define ATT_PORT	7020	/* the listener the peer talks to */
#define HON_PORT	7021	/* the honest session's listener */
#define MEM_KB		1024
#define RCVBUF		16384
#define REPLY_SEED	0x10000
#define MAX_STATS	128

/* Memory figures of a host, sampled every 10 ms by a thread. */
struct sampler {
	pthread_t t;
	atomic_int stop;
	long long alloc_peak, max_bytes, slab_base, slab_peak, samples;
};

static long long meminfo_kb(const char *name)
{
	char line[128];
	long long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");
	size_t n = strlen(name);

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ':')
			v = atoll(line + n + 1);
	if (f)
		fclose(f);
	return v;
}

/* allocated_bytes and max_bytes of the calling thread's namespace. */
static int stt_memory(long long *alloc, long long *max)
{
	FILE *f = fopen("/proc/thread-self/net/stt/memory", "r");
	char k[64];
	long long v;

	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", k, &v) == 2) {
		if (!strcmp(k, "allocated_bytes"))
			*alloc = v;
		else if (!strcmp(k, "max_bytes"))
			*max = v;
	}
	fclose(f);
	return 0;
}

static void *sample(void *arg)
{
	struct sampler *s = arg;
	long long a = 0, slab;

	if (stt_enter("stt-a"))
		return NULL;
	while (!atomic_load(&s->stop)) {
		if (!stt_memory(&a, &s->max_bytes) && a > s->alloc_peak)
			s->alloc_peak = a;
		slab = meminfo_kb("Slab");
		if (slab > s->slab_peak)
			s->slab_peak = slab;
		s->samples++;
		usleep(10000);
	}
	return NULL;
}

/* Counters of a host, to compare before and after. */
struct snap {
	char name[MAX_STATS][40];
	long long v[MAX_STATS];
	int n;
};

static int read_snap(const char *unused, long arg)
{
	struct snap *s = (struct snap *)arg;
	FILE *f = fopen("/proc/net/stt/stats", "r");

	s->n = 0;
	while (f && s->n < MAX_STATS &&
	       fscanf(f, "%39s %lld", s->name[s->n], &s->v[s->n]) == 2)
		s->n++;
	if (f)
		fclose(f);
	return f ? 0 : -1;
}

static void snap(const char *ns, struct snap *s)
{
	in_ns(ns, read_snap, NULL, (long)s);
}

static long long delta(const struct snap *a, const struct snap *b,
		       const char *name)
{
	int i;

	for (i = 0; i < a->n && i < b->n; i++)
		if (!strcmp(a->name[i], name))
			return b->v[i] - a->v[i];
	return 0;
}

/* Print every counter that moved from @a to @b. */
static void log_delta(const char *what, const struct snap *a,
		      const struct snap *b)
{
	char line[4096];
	int i, n = 0;

	for (i = 0; i < a->n && i < b->n; i++)
		if (b->v[i] != a->v[i] && n < (int)sizeof(line) - 64)
			n += snprintf(line + n, sizeof(line) - n, " %s +%lld",
				      a->name[i], b->v[i] - a->v[i]);
	printf("# %s:%s\n", what, n ? line : " no counter moved");
}

/*
 * The drops a hostile receive path counts (Documentation/stt.rst);
 * drop_duplicate is not among them, since the honest session's
 * retransmissions move it too.
 */
static const char * const rx_drops[] = {
	"drop_frame", "drop_flow_control", "drop_session_flow",
	"drop_no_stream", "drop_stream_closed", "drop_offset_invalid",
	"drop_final_size",
};

/* What the receive bounds count: overlaps cut or dropped, data refused. */
static const char * const rx_bounds[] = {
	"ooo_trimmed", "drop_duplicate", "drop_rcvbuf", "drop_mem_limit",
};

static long long sum_delta(const struct snap *a, const struct snap *b,
			   const char * const *names, int n)
{
	long long sum = 0;
	int i;

	for (i = 0; i < n; i++)
		sum += delta(a, b, names[i]);
	return sum;
}

/* The honest session: stt-b sends until told to stop, stt-a reads. */
struct honest {
	int cfd, afd;
	struct xfer rx;
	atomic_int stop;
	u64 sent;
	unsigned char sha[32];
	int err;
	pthread_t t_tx, t_rx;
	long long t0, ms;
};

static void *honest_tx(void *arg)
{
	struct honest *h = arg;
	unsigned char buf[16384];
	struct sha256 c;

	sha256_init(&c);
	while (!atomic_load(&h->stop) || h->sent < 256 * 1024) {
		fill(buf, sizeof(buf), h->sent, 77);
		sha256_update(&c, buf, sizeof(buf));
		h->err = write_full(h->cfd, buf, sizeof(buf));
		if (h->err)
			break;
		h->sent += sizeof(buf);
		/*
		 * At most 1.6 MB/s: the emulated guest's two CPUs must
		 * leave the Python peer room to attack.
		 */
		usleep(10000);
	}
	if (!h->err && shutdown(h->cfd, SHUT_WR))
		h->err = -errno;
	sha256_final(&c, h->sha);
	return NULL;
}

FIXTURE(attack) {
	int att, hon;
	struct sockaddr_stt att_addr, hon_addr;
	struct sampler mem;
	struct honest h;
	struct peer peer;
	struct snap before, after;
	long long slab_max_kb;
};

FIXTURE_SETUP(attack)
{
	int rcvbuf = RCVBUF;

	ASSERT_NE(NULL, peer_script()) TH_LOG("no %s: set STT_REPO", PEER_SCRIPT);
	memset(&self->peer, 0, sizeof(self->peer));
	ASSERT_EQ(0, stt_hosts_up());
	ASSERT_EQ(0, sysctl_in("stt-a", "mem_max_kbytes", MEM_KB));
	ASSERT_EQ(0, sysctl_in("stt-a", "stream_rcvbuf", RCVBUF));
	self->att_addr = stt_addr4(STT_A4, ATT_PORT, 0);
	self->hon_addr = stt_addr4(STT_A4, HON_PORT, 0);
	ASSERT_EQ(0, stt_enter("stt-a"));
	self->att = listener(&self->att_addr, SOCK_STREAM);
	ASSERT_LE(0, self->att);
	ASSERT_EQ(0, setsockopt(self->att, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				sizeof(rcvbuf)));
	stall_guard(self->att);
	self->hon = listener(&self->hon_addr, SOCK_STREAM);
	ASSERT_LE(0, self->hon);
	stall_guard(self->hon);

	/* The honest session first, so that the attack meets it running. */
	ASSERT_EQ(0, stt_enter("stt-b"));
	self->h.cfd = stt_sock(SOCK_STREAM);
	ASSERT_LE(0, self->h.cfd);
	stall_guard(self->h.cfd);
	ASSERT_EQ(0, do_connect(self->h.cfd, &self->hon_addr));
	self->h.afd = accept(self->hon, NULL, NULL);
	ASSERT_LE(0, self->h.afd);
	stall_guard(self->h.afd);
	self->h.rx = (struct xfer){ .fd = self->h.afd, .chunk = 16384,
				    .seed = 77 };
	snap("stt-a", &self->before);
	/*
	 * KASAN's quarantine holds freed objects back (up to 1/32 of the
	 * guest's memory), so Slab grows more under the debug kernel.
	 */
	self->slab_max_kb = debug_kernel() ? 128 * 1024 : 32 * 1024;
	self->mem.slab_base = meminfo_kb("Slab");
	ASSERT_EQ(0, pthread_create(&self->mem.t, NULL, sample, &self->mem));
	self->h.t0 = ms_now();
	ASSERT_EQ(0, pthread_create(&self->h.t_tx, NULL, honest_tx, &self->h));
	ASSERT_EQ(0, pthread_create(&self->h.t_rx, NULL, receiver, &self->h.rx));
}

FIXTURE_TEARDOWN(attack)
{
	if (self->peer.pid > 0 && self->peer.status < 0)
		peer_wait(&self->peer, 0);
	peer_free(&self->peer);
	stt_hosts_down();
}

/*
 * The end of every case: the honest session finishes its transfer intact,
 * stt-a's memory stayed under its bounds; print the figures.
 */
static void finish(struct __test_metadata *_metadata,
		   struct _test_data_attack *self, const char *what)
{
	struct honest *h = &self->h;
	char sa[65], sb[65];
	int i;

	atomic_store(&h->stop, 1);
	pthread_join(h->t_tx, NULL);
	pthread_join(h->t_rx, NULL);
	h->ms = ms_now() - h->t0;
	atomic_store(&self->mem.stop, 1);
	pthread_join(self->mem.t, NULL);
	snap("stt-a", &self->after);
	log_delta(what, &self->before, &self->after);
	for (i = 0; i < 32; i++) {
		sprintf(sa + 2 * i, "%02x", h->sha[i]);
		sprintf(sb + 2 * i, "%02x", h->rx.sha[i]);
	}
	printf("# %s: honest session %llu bytes in %lld ms (err %d/%d, %llu bad)\n",
	       what, (unsigned long long)h->rx.len, h->ms, h->err, h->rx.err,
	       (unsigned long long)h->rx.bad);
	printf("# %s: stt-a memory peak %lld bytes of max %lld,", what,
	       self->mem.alloc_peak, self->mem.max_bytes);
	printf(" Slab %lld kB -> peak %lld kB (+%lld kB), %lld samples\n",
	       self->mem.slab_base, self->mem.slab_peak,
	       self->mem.slab_peak - self->mem.slab_base, self->mem.samples);
	EXPECT_EQ(0, h->err);
	EXPECT_EQ(0, h->rx.err);
	EXPECT_EQ(0, h->rx.bad);
	EXPECT_EQ(h->sent, h->rx.len);
	EXPECT_STREQ(sa, sb);
	EXPECT_EQ((long long)MEM_KB * 1024, self->mem.max_bytes);
	/*
	 * The limit, plus windows granted before pressure (16 KiB per
	 * stream) and one chunk per socket: 256 KiB covers both sessions.
	 */
	EXPECT_GE(self->mem.max_bytes + 256 * 1024, self->mem.alloc_peak);
	EXPECT_GE(self->slab_max_kb, self->mem.slab_peak - self->mem.slab_base);
	close(h->cfd);
	close(h->afd);
}

/* Overlapping, reordered one-byte DATA frames within the window. */
TEST_F_TIMEOUT(attack, overlap, 300)
{
	const char *secs = debug_kernel() ? "3" : "10";
	struct xfer rx = { .chunk = 4096 };
	long long bytes, moved;
	pthread_t t;
	int fd;

	ASSERT_EQ(0, peer_start(&self->peer, "stt-b", "overlap", "--connect", STT_A4,
				"7020", "--psk", peer_psk(),
				"--seconds", secs, NULL));
	/* The peer's first start takes long under the debug kernel. */
	ASSERT_NE(NULL, peer_read(&self->peer, "stream ", 180000));
	fd = accept(self->att, NULL, NULL);
	ASSERT_LE(0, fd);
	stall_guard(fd);
	rx.fd = fd;
	{
		struct sockaddr_stt sa;
		socklen_t len = sizeof(sa);

		ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&sa, &len));
		rx.seed = sa.sstt_stream;
	}
	ASSERT_EQ(0, pthread_create(&t, NULL, receiver, &rx));
	EXPECT_EQ(0, peer_wait(&self->peer, 240000));
	pthread_join(t, NULL);
	finish(_metadata, self, "overlap");
	bytes = peer_result(&self->peer, "bytes");
	printf("# overlap: %lld frames in %lld packets,",
	       peer_result(&self->peer, "frames"),
	       peer_result(&self->peer, "packets"));
	printf(" the reader got %llu of %lld bytes (%llu bad)\n",
	       (unsigned long long)rx.len, bytes, (unsigned long long)rx.bad);
	/* What the reader sees: the stream, whole, nothing else. */
	EXPECT_EQ(0, rx.err);
	EXPECT_EQ(0, rx.bad);
	EXPECT_EQ(bytes, (long long)rx.len);
	EXPECT_LT(0, bytes);
	/* Overlaps cut off or dropped, or data over the bounds: counted. */
	moved = sum_delta(&self->before, &self->after, rx_bounds,
			  ARRAY_SIZE(rx_bounds));
	EXPECT_LT(0, moved);
	close(fd);
}

/* Offsets and final sizes that wrap or shrink, one case at a time. */
TEST_F_TIMEOUT(attack, wrap, 300)
{
	static const char * const cases[] = {
		"data-wrap", "data-fin-wrap", "data-top", "fin-near-2^64",
		"fin-2^63", "reset-near-2^64", "fin-below-received",
		"reset-below-received", "data-fin-below-received",
		"fin-twice-different",
	};
	struct snap s0, s1;
	const char *line;
	long long moved;
	unsigned int i;

	ASSERT_EQ(0, peer_start(&self->peer, "stt-b", "wrap", "--connect", STT_A4,
				"7020", "--psk", peer_psk(),
				"--step", NULL));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snap("stt-a", &s0);
		ASSERT_EQ(0, peer_say(&self->peer, "go\n"));
		line = peer_read(&self->peer, "case ", 180000);
		ASSERT_NE(NULL, line);
		snap("stt-a", &s1);
		EXPECT_NE(NULL, strstr(line, cases[i])) TH_LOG("%s", line);
		log_delta(cases[i], &s0, &s1);
		moved = sum_delta(&s0, &s1, rx_drops, ARRAY_SIZE(rx_drops));
		EXPECT_LT(0, moved) TH_LOG("%s: no drop counted", cases[i]);
	}
	EXPECT_EQ(0, peer_wait(&self->peer, 60000));
	finish(_metadata, self, "wrap");
}

/* Widest ACK and NACK frames, many per packet, while stt-a sends. */
TEST_F_TIMEOUT(attack, acks, 300)
{
	const char *secs = debug_kernel() ? "2" : "4";
	struct xfer tx = { .chunk = 16384, .shut = 1 };
	struct xfer rx = { .chunk = 4096 };
	struct sockaddr_stt sa;
	socklen_t len = sizeof(sa);
	pthread_t t1, t2;
	long long moved;
	int fd;

	ASSERT_EQ(0, peer_start(&self->peer, "stt-b", "acks", "--connect", STT_A4,
				"7020", "--psk", peer_psk(),
				"--seconds", secs, NULL));
	/* The peer's first start takes long under the debug kernel. */
	ASSERT_NE(NULL, peer_read(&self->peer, "stream ", 180000));
	fd = accept(self->att, NULL, NULL);
	ASSERT_LE(0, fd);
	stall_guard(fd);
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&sa, &len));
	tx.fd = fd;
	tx.seed = sa.sstt_stream + REPLY_SEED;
	tx.len = debug_kernel() ? 64 * 1024 : 256 * 1024;
	rx.fd = fd;
	ASSERT_EQ(0, pthread_create(&t1, NULL, sender, &tx));
	ASSERT_EQ(0, pthread_create(&t2, NULL, receiver, &rx));
	EXPECT_EQ(0, peer_wait(&self->peer, 240000));
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	finish(_metadata, self, "acks");
	printf("# acks: %lld frames in %lld packets;",
	       peer_result(&self->peer, "frames"),
	       peer_result(&self->peer, "packets"));
	printf(" stt-a sent %llu bytes (err %d), the peer got %lld intact %lld\n",
	       (unsigned long long)tx.len, tx.err,
	       peer_result(&self->peer, "received"),
	       peer_result(&self->peer, "intact"));
	EXPECT_EQ(0, tx.err);
	EXPECT_EQ((long long)tx.len, peer_result(&self->peer, "received"));
	EXPECT_EQ(1, peer_result(&self->peer, "intact"));
	moved = delta(&self->before, &self->after, "drop_ack_invalid");
	EXPECT_LT(0, moved);
	EXPECT_LT(0, delta(&self->before, &self->after, "nacks_in"));
	/* One packet in six has 61 ACK frames: over the cap, dropped whole. */
	EXPECT_LT(0, delta(&self->before, &self->after,
			   "drop_too_many_frames"));
	close(fd);
}

/* Mutated frames, sealed, into live sessions (issue 6b). */
TEST_F_TIMEOUT(attack, fuzz, 600)
{
	const char *frames = debug_kernel() ? "10000" : "100000";
	long long closes, closed, t0 = ms_now();

	ASSERT_EQ(0, peer_start(&self->peer, "stt-b", "fuzz", "--connect", STT_A4,
				"7020", "--psk", peer_psk(),
				"--frames", frames, "--seed", "6", NULL));
	EXPECT_EQ(0, peer_wait(&self->peer, 540000));
	finish(_metadata, self, "fuzz");
	closes = peer_result(&self->peer, "closes");
	closed = delta(&self->before, &self->after, "sessions_closed");
	printf("# fuzz: %lld frames in %lld packets in %lld ms;",
	       peer_result(&self->peer, "frames"),
	       peer_result(&self->peer, "packets"), ms_now() - t0);
	printf(" the peer saw %lld sessions closed, stt-a counted %lld\n",
	       closes, closed);
	ASSERT_LE(0, closes);
	EXPECT_LE(atoll(frames), peer_result(&self->peer, "frames"));
	/* Every session closed under the fuzz was counted, with a reason. */
	EXPECT_LE(closes, closed);
	if (closes)
		EXPECT_LT(0, delta(&self->before, &self->after,
				   "drop_session_flow") +
			     delta(&self->before, &self->after,
				   "sessions_closed_by_peer"));
	/* Malformed frames, and packets of too many, are counted as dropped. */
	EXPECT_LT(0, delta(&self->before, &self->after, "drop_frame"));
	EXPECT_LT(0, delta(&self->before, &self->after,
			   "drop_too_many_frames"));
}

/* The peer once, before the harness forks the tests: they share it. */
int main(int argc, char **argv)
{
	if (peer_proc_start())
		fprintf(stderr, "# cannot start %s\n", PEER_SCRIPT);
	return test_harness_run(argc, argv);
}
