// SPDX-License-Identifier: GPL-2.0
/*
 * stt: a small command line tool for STT.
 *
 *   stt listen  -k KEY ADDR PORT   listen for sessions until killed
 *   stt connect -k KEY ADDR PORT   open a session and report the outcome
 *   stt serve   -k KEY ADDR PORT   accept streams until killed; print a line for
 *                                  each when it ends and answer "got N bytes"
 *   stt streams -k KEY ADDR PORT   send video, audio and chat streams at once on
 *                                  one session, then close one of two streams
 *                                  while the other goes on
 *   stt stats                      the non-zero counters of this namespace
 *
 * KEY is the 256-bit pre-shared key as 64 hex digits.  ADDR is an IPv4 or
 * IPv6 address.
 *
 * serve and streams sum every stream's bytes with FNV-1a (64 bits) and print
 * the sum in lines that begin "stream ID 'LABEL'", so that the two outputs
 * can be compared.  serve answers each stream, once its end arrived, with
 * "got N bytes, fnv1a64 SUM", which streams checks.
 *
 * A listener takes streams of one socket type, and serve listens for byte
 * streams.  A message stream (SOCK_SEQPACKET) therefore comes from serve's
 * side: streams listens for one on the address its own streams leave from,
 * opens a stream labelled "open-back LABEL", and serve opens a message stream
 * labelled LABEL back to that address, on the same session.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/stt.h>

#define FNV_INIT	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL
#define OPEN_BACK	"open-back "
#define IO_TIMEOUT	60		/* seconds a stalled send or recv waits */
#define RECV_BUF	(256 << 10)	/* larger than any message sent here */

typedef unsigned long long u64;

static unsigned char psk[STT_PSK_LEN];

static int print_usage(void)
{
	fprintf(stderr,
		"usage: stt listen  -k KEY ADDR PORT\n"
		"       stt connect -k KEY ADDR PORT\n"
		"       stt serve   -k KEY ADDR PORT\n"
		"       stt streams -k KEY ADDR PORT\n"
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

/* One counter of /proc/net/stt/stats, or -1. */
static long long read_stat(const char *want)
{
	char line[128], name[64];
	long long v, found = -1;
	FILE *f = fopen("/proc/net/stt/stats", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld", name, &v) == 2 && !strcmp(name, want))
			found = v;
	fclose(f);
	return found;
}

/* FNV-1a, 64 bits, over a buffer, continued from @h. */
static u64 fnv1a(u64 h, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len--) {
		h ^= *p++;
		h *= FNV_PRIME;
	}
	return h;
}

/* The bytes a stream sends: a function of the offset and a seed. */
static void fill(unsigned char *buf, size_t len, u64 off, unsigned int seed)
{
	u64 x;
	size_t i;

	for (i = 0; i < len; i++, off++) {
		x = (off / 8 + 1) * 0x9e3779b97f4a7c15ULL + seed;
		x ^= x >> 29;
		x *= 0xbf58476d1ce4e5b9ULL;
		x ^= x >> 32;
		buf[i] = x >> (8 * (off % 8));
	}
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static const char *type_name(int type)
{
	return type == SOCK_SEQPACKET ? "SOCK_SEQPACKET" : "SOCK_STREAM";
}

static int sock_type(int fd)
{
	socklen_t len = sizeof(int);
	int type = 0;

	getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);
	return type;
}

/* The stream's label as a string ("" if it has none). */
static void get_label(int fd, char label[STT_LABEL_MAX + 1])
{
	socklen_t len = STT_LABEL_MAX;

	if (getsockopt(fd, SOL_STT, STT_LABEL, label, &len))
		len = 0;
	label[len] = '\0';
}

static int set_int(int fd, int opt, int val)
{
	return setsockopt(fd, SOL_STT, opt, &val, sizeof(val));
}

/* A stalled send or recv on @fd fails after IO_TIMEOUT seconds. */
static int set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT };

	return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	       setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ? -1 : 0;
}

/* A new STT socket holding the key; a stream's, unless @listener. */
static int new_sock(int type, int listener)
{
	int fd = socket(AF_STT, type, 0);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_STT, STT_PSK, psk, sizeof(psk)) ||
	    (!listener && set_timeouts(fd))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* Read until the end of the stream into @buf, as a string; its length or -1. */
static ssize_t recv_to_end(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;

	for (;;) {
		n = recv(fd, buf + got, size - 1 - got, 0);
		if (n < 0)
			return -1;
		if (!n)
			break;
		got += n;
		if (got == size - 1)
			break;
	}
	buf[got] = '\0';
	return got;
}

/* --- stt serve ------------------------------------------------------------ */

/*
 * Receive a stream to its end, print what arrived, answer with the count and
 * the sum, and close.
 */
static void serve_receive(int fd, const char *label)
{
	struct sockaddr_stt me;
	socklen_t len = sizeof(me);
	char *buf = malloc(RECV_BUF), reply[96];
	struct iovec iov = { .iov_base = buf, .iov_len = RECV_BUF };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	int type = sock_type(fd), err = 0;
	u64 bytes = 0, h = FNV_INIT, reads = 0;
	ssize_t n;

	getsockname(fd, (struct sockaddr *)&me, &len);
	while (buf) {
		n = recvmsg(fd, &msg, 0);
		if (n <= 0) {
			err = n ? errno : 0;
			break;
		}
		if (msg.msg_flags & MSG_TRUNC) {
			err = EMSGSIZE;
			break;
		}
		h = fnv1a(h, buf, n);
		bytes += n;
		reads++;
	}
	if (!buf)
		err = ENOMEM;
	printf("stream %u '%s' %s: %llu bytes in %llu %s, fnv1a64 %016llx, session %08x%s%s\n",
	       me.sstt_stream, label, type_name(type), bytes, reads,
	       type == SOCK_SEQPACKET ? "messages" : "reads", h, me.sstt_session,
	       err ? ", error: " : "", err ? strerror(err) : "");
	if (!err) {
		n = snprintf(reply, sizeof(reply), "got %llu bytes, fnv1a64 %016llx", bytes, h);
		send_all(fd, reply, n);
	}
	free(buf);
	close(fd);
}

/*
 * The peer asks, with a stream labelled "open-back LABEL", for a message
 * stream labelled LABEL: open it to the address the request came from (the
 * session's peer, so the same session), answer "opened stream ID", then
 * receive on it like on any stream.
 */
static void serve_open_back(int req, const char *label)
{
	struct sockaddr_stt me, peer, back;
	socklen_t len = sizeof(me);
	char a[80], reply[32];
	int fd, n;

	getsockname(req, (struct sockaddr *)&me, &len);
	len = sizeof(peer);
	getpeername(req, (struct sockaddr *)&peer, &len);
	peer.sstt_session = 0;
	peer.sstt_stream = STT_STREAM_ANY;
	fd = new_sock(SOCK_SEQPACKET, 0);
	if (fd < 0 || setsockopt(fd, SOL_STT, STT_LABEL, label, strlen(label)) ||
	    connect(fd, (struct sockaddr *)&peer, sizeof(peer))) {
		printf("stream %u '%s%s' %s: opening a message stream back to %s: %s\n",
		       me.sstt_stream, OPEN_BACK, label, type_name(SOCK_STREAM),
		       addr_str(&peer, a, sizeof(a)), strerror(errno));
		if (fd >= 0)
			close(fd);
		close(req);
		return;
	}
	len = sizeof(back);
	getsockname(fd, (struct sockaddr *)&back, &len);
	printf("stream %u '%s%s' %s: opened %s stream %u '%s' back to %s, session %08x\n",
	       me.sstt_stream, OPEN_BACK, label, type_name(SOCK_STREAM),
	       type_name(SOCK_SEQPACKET), back.sstt_stream, label,
	       addr_str(&peer, a, sizeof(a)), back.sstt_session);
	n = snprintf(reply, sizeof(reply), "opened stream %u", back.sstt_stream);
	send_all(req, reply, n);
	close(req);
	serve_receive(fd, label);
}

static void *serve_stream(void *arg)
{
	char label[STT_LABEL_MAX + 1];
	int fd = (int)(intptr_t)arg;

	set_timeouts(fd);
	get_label(fd, label);
	if (!strncmp(label, OPEN_BACK, strlen(OPEN_BACK)))
		serve_open_back(fd, label + strlen(OPEN_BACK));
	else
		serve_receive(fd, label);
	return NULL;
}

static int run_serve(const struct sockaddr_stt *sa)
{
	pthread_attr_t attr;
	pthread_t t;
	char a[80];
	int lfd, fd;

	lfd = new_sock(SOCK_STREAM, 1);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)sa, sizeof(*sa)) || listen(lfd, 64)) {
		perror("serve: listen");
		return 1;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	printf("serving on %s\n", addr_str(sa, a, sizeof(a)));
	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			perror("serve: accept");
			return 1;
		}
		if (pthread_create(&t, &attr, serve_stream, (void *)(intptr_t)fd)) {
			fprintf(stderr, "serve: no thread for a stream\n");
			close(fd);
		}
	}
}

/* --- stt streams ---------------------------------------------------------- */

/* A stream that stt streams sends, and what came of it. */
struct flow {
	const char *label;
	int type;
	int max_frame;
	int priority;
	u64 len;			/* bytes to send, unless @msgs */
	size_t chunk;			/* bytes per send() */
	const char * const *msgs;	/* messages to send, NULL-terminated */
	unsigned int msg_gap_ms;	/* pause between messages */
	int close_fd;			/* a stream to close ... */
	u64 close_at;			/* ... once this many bytes are sent */

	int fd;
	struct sockaddr_stt name;
	u64 sent, hash;
	double ms;
	struct stt_info info;
	char reply[96];
	const char *failed;		/* the step that failed, or NULL */
	int err;
};

static const char * const chat_msgs[] = {
	"hello",
	"video and audio are flowing on this session too",
	"this chat has priority 7 and 1 KiB frames",
	"each of these lines is one message",
	"bye",
	NULL
};

static void flow_fail(struct flow *f, const char *step)
{
	if (!f->failed) {
		f->failed = step;
		f->err = errno;
	}
}

/*
 * Open a flow's stream from @local (the address the streams leave from and
 * the message listener waits on) to @srv.
 */
static int flow_open(struct flow *f, const struct sockaddr_stt *local,
		     const struct sockaddr_stt *srv)
{
	socklen_t len = sizeof(f->name);

	f->fd = new_sock(f->type, 0);
	if (f->fd < 0 ||
	    setsockopt(f->fd, SOL_STT, STT_LABEL, f->label, strlen(f->label)) ||
	    set_int(f->fd, STT_MAX_FRAME, f->max_frame) ||
	    set_int(f->fd, STT_PRIORITY, f->priority) ||
	    bind(f->fd, (struct sockaddr *)local, sizeof(*local)) ||
	    connect(f->fd, (struct sockaddr *)srv, sizeof(*srv)) ||
	    getsockname(f->fd, (struct sockaddr *)&f->name, &len)) {
		fprintf(stderr, "streams: opening '%s': %s\n", f->label, strerror(errno));
		return -1;
	}
	return 0;
}

/* Send the flow, end it, read the answer to the end, and check it. */
static void *flow_run(void *arg)
{
	struct flow *f = arg;
	unsigned char *buf = f->msgs ? NULL : malloc(f->chunk);
	socklen_t len = sizeof(f->info);
	double t0 = now_ms();
	u64 want_bytes, want_hash;
	size_t n;
	int i;

	f->hash = FNV_INIT;
	for (i = 0; f->msgs && f->msgs[i]; i++) {
		if (i)
			usleep(f->msg_gap_ms * 1000);
		n = strlen(f->msgs[i]);
		if (send(f->fd, f->msgs[i], n, MSG_NOSIGNAL) != (ssize_t)n) {
			flow_fail(f, "send");
			break;
		}
		f->hash = fnv1a(f->hash, f->msgs[i], n);
		f->sent += n;
	}
	while (!f->msgs && buf && f->sent < f->len) {
		n = f->len - f->sent < f->chunk ? f->len - f->sent : f->chunk;
		if (f->close_fd >= 0 && f->sent + n > f->close_at)
			n = f->close_at > f->sent ? f->close_at - f->sent : n;
		fill(buf, n, f->sent, f->type + f->max_frame);
		if (send_all(f->fd, buf, n)) {
			flow_fail(f, "send");
			break;
		}
		f->hash = fnv1a(f->hash, buf, n);
		f->sent += n;
		if (f->close_fd >= 0 && f->sent >= f->close_at) {
			close(f->close_fd);
			f->close_fd = -1;
		}
	}
	if (!f->msgs && !buf)
		flow_fail(f, "malloc");
	free(buf);
	if (shutdown(f->fd, SHUT_WR))
		flow_fail(f, "shutdown");
	if (recv_to_end(f->fd, f->reply, sizeof(f->reply)) < 0)
		flow_fail(f, "recv");
	f->ms = now_ms() - t0;
	if (getsockopt(f->fd, SOL_STT, STT_INFO, &f->info, &len))
		flow_fail(f, "STT_INFO");
	if (!f->failed &&
	    (sscanf(f->reply, "got %llu bytes, fnv1a64 %llx", &want_bytes, &want_hash) != 2 ||
	     want_bytes != f->sent || want_hash != f->hash)) {
		errno = EBADMSG;
		flow_fail(f, "the reply");
	}
	return NULL;
}

/* Two lines on a flow; 0 if it went well. */
static int flow_print(const struct flow *f)
{
	const struct stt_info *in = &f->info;

	printf("stream %u '%s' %s, priority %u, max frame %u: ", f->name.sstt_stream,
	       f->label, type_name(f->type), in->stti_priority, in->stti_max_frame);
	printf("sent %llu bytes in %.0f ms, fnv1a64 %016llx\n", f->sent, f->ms, f->hash);
	printf("    STT_INFO: %llu DATA frames sent and %llu received, ",
	       in->stti_frames_sent, in->stti_frames_received);
	printf("datagrams of %u bytes, the peer's max frame %u\n", in->stti_mtu,
	       in->stti_peer_max_frame);
	if (f->failed) {
		printf("    FAILED at %s: %s (reply: \"%s\")\n", f->failed,
		       strerror(f->err), f->reply);
		return 1;
	}
	printf("    reply \"%s\": matches\n", f->reply);
	return 0;
}

/*
 * The address the streams leave from: any address, a port of its own, where
 * a listener with @max_frame waits for the message stream.
 */
static int streams_local(int family, int max_frame, struct sockaddr_stt *local, int *lfd)
{
	socklen_t len = sizeof(*local);

	memset(local, 0, sizeof(*local));
	local->sstt_family = AF_STT;
	local->sstt_addr_family = family;
	*lfd = new_sock(SOCK_SEQPACKET, 1);
	if (*lfd < 0 || set_int(*lfd, STT_MAX_FRAME, max_frame) ||
	    bind(*lfd, (struct sockaddr *)local, sizeof(*local)) ||
	    listen(*lfd, 4) || getsockname(*lfd, (struct sockaddr *)local, &len)) {
		perror("streams: message listener");
		return -1;
	}
	return 0;
}

/*
 * Ask serve for a message stream back (see the top of the file) and take it
 * from the listener @lfd; returns it, or -1.
 */
static int streams_open_back(struct flow *f, int lfd, const struct sockaddr_stt *local,
			     const struct sockaddr_stt *srv)
{
	struct flow req = { .label = OPEN_BACK "chat", .type = SOCK_STREAM,
			    .max_frame = STT_MAX_FRAME_MIN };
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	char label[STT_LABEL_MAX + 1];
	socklen_t len = sizeof(f->name);

	if (flow_open(&req, local, srv))
		return -1;
	shutdown(req.fd, SHUT_WR);
	if (recv_to_end(req.fd, req.reply, sizeof(req.reply)) < 0) {
		perror("streams: open-back request");
		return -1;
	}
	printf("stream %u '%s' %s: the peer answers \"%s\"\n", req.name.sstt_stream,
	       req.label, type_name(req.type), req.reply);
	close(req.fd);
	if (poll(&p, 1, IO_TIMEOUT * 1000) != 1) {
		fprintf(stderr, "streams: no message stream came back\n");
		return -1;
	}
	f->fd = accept(lfd, NULL, NULL);
	if (f->fd >= 0)
		get_label(f->fd, label);
	if (f->fd < 0 || set_timeouts(f->fd) || set_int(f->fd, STT_PRIORITY, f->priority) ||
	    getsockname(f->fd, (struct sockaddr *)&f->name, &len) ||
	    strcmp(label, f->label)) {
		fprintf(stderr, "streams: accepting '%s': %s (label '%s')\n", f->label,
			strerror(errno), label);
		return -1;
	}
	return 0;
}

static int run_streams(const struct sockaddr_stt *srv)
{
	struct flow flows[3] = {
		{ .label = "video", .type = SOCK_STREAM, .max_frame = 65535,
		  .priority = 2, .len = 4 << 20, .chunk = 64 << 10 },
		{ .label = "audio", .type = SOCK_STREAM, .max_frame = 4096,
		  .priority = 5, .len = 512 << 10, .chunk = 960 },
		{ .label = "chat", .type = SOCK_SEQPACKET, .max_frame = 1024,
		  .priority = 7, .msgs = chat_msgs, .msg_gap_ms = 100 },
	};
	struct flow keep = { .label = "keep", .type = SOCK_STREAM, .max_frame = 16384,
			     .priority = 0, .len = 1 << 20, .chunk = 16 << 10,
			     .close_at = 128 << 10 };
	struct flow drop = { .label = "drop", .type = SOCK_STREAM, .max_frame = 16384 };
	struct sockaddr_stt local, peer;
	long long hs0 = read_stat("handshakes_completed");
	socklen_t len = sizeof(peer);
	pthread_t t[3];
	int i, lfd, bad = 0;
	unsigned int session;
	char a[80];

	if (streams_local(srv->sstt_addr_family, flows[2].max_frame, &local, &lfd))
		return 1;
	printf("streams leave from %s, where a %s listener waits too\n",
	       addr_str(&local, a, sizeof(a)), type_name(SOCK_SEQPACKET));
	for (i = 0; i < 2; i++)
		if (flow_open(&flows[i], &local, srv))
			return 1;
	if (streams_open_back(&flows[2], lfd, &local, srv))
		return 1;
	session = flows[0].name.sstt_session;
	getpeername(flows[0].fd, (struct sockaddr *)&peer, &len);
	printf("session %08x here, %08x at the peer; sending on all three at once:\n",
	       session, peer.sstt_session);
	for (i = 0; i < 3; i++)
		printf("  stream %u '%s' (%s) on session %08x\n", flows[i].name.sstt_stream,
		       flows[i].label, type_name(flows[i].type), flows[i].name.sstt_session);
	for (i = 0; i < 3; i++) {
		flows[i].close_fd = -1;
		if (pthread_create(&t[i], NULL, flow_run, &flows[i])) {
			fprintf(stderr, "streams: no thread\n");
			return 1;
		}
	}
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	printf("\n");
	for (i = 0; i < 3; i++) {
		bad |= flow_print(&flows[i]);
		bad |= flows[i].name.sstt_session != session;
		close(flows[i].fd);
	}

	printf("\ntwo more streams; 'drop' closes once 'keep' has sent %llu KiB:\n",
	       keep.close_at >> 10);
	if (flow_open(&keep, &local, srv) || flow_open(&drop, &local, srv))
		return 1;
	keep.close_fd = drop.fd;
	drop.hash = FNV_INIT;
	printf("  stream %u '%s' and stream %u '%s' on session %08x\n",
	       keep.name.sstt_stream, keep.label, drop.name.sstt_stream, drop.label,
	       drop.name.sstt_session);
	flow_run(&keep);
	printf("stream %u '%s' %s: closed with %llu bytes sent, fnv1a64 %016llx\n",
	       drop.name.sstt_stream, drop.label, type_name(drop.type), drop.sent,
	       drop.hash);
	bad |= flow_print(&keep);
	printf("    stream %u '%s' completed after stream %u closed, on session %08x\n",
	       keep.name.sstt_stream, keep.label, drop.name.sstt_stream,
	       keep.name.sstt_session);
	bad |= keep.name.sstt_session != session || drop.name.sstt_session != session;
	close(keep.fd);
	close(lfd);

	printf("\n6 streams on session %08x, handshakes completed meanwhile: %lld; %s\n",
	       session, read_stat("handshakes_completed") - hs0,
	       bad ? "SOMETHING FAILED" : "all replies match");
	return bad;
}

int main(int argc, char **argv)
{
	struct sockaddr_stt sa, me, peer;
	socklen_t len = sizeof(me);
	char a[80], b[80];
	int fd;

	if (argc == 2 && !strcmp(argv[1], "stats"))
		return show_stats();
	if (argc != 6 || strcmp(argv[2], "-k") || parse_key(argv[3], psk) ||
	    parse_addr(argv[4], argv[5], &sa))
		return print_usage();
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!strcmp(argv[1], "serve"))
		return run_serve(&sa);
	if (!strcmp(argv[1], "streams"))
		return run_streams(&sa);

	fd = socket(AF_STT, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_STT, STT_PSK, psk, sizeof(psk))) {
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
