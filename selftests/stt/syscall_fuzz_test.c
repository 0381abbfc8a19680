// SPDX-License-Identifier: GPL-2.0
/*
 * A syscall fuzzer for AF_STT sockets.  Threads in host stt-b share a pool of
 * descriptors and call, at random, socket() (either type, sometimes another
 * type or protocol), bind(), connect(), listen(), accept4(), send(), recv(),
 * sendmsg(), recvmsg(), setsockopt() and getsockopt() over every STT option
 * and the SOL_SOCKET ones STT gives a meaning (with random lengths and
 * values, garbage included), shutdown(), close(), poll(), ioctl(),
 * getsockname() and getpeername(), with random flags, sizes and addresses:
 * host stt-a's listeners of either type, a port of stt-a where nothing
 * listens, an address nobody has, listeners of stt-b itself, and garbage.
 * A close races whatever the other threads do with the same descriptor.
 *
 * Each thread draws from its own PRNG, seeded from the printed seed (set it
 * with STT_FUZZ_SEED, the number of calls per thread with STT_FUZZ_ITERS):
 * each thread's sequence of calls is reproducible, their interleaving is not.
 *
 * What must hold: no call fails with an errno outside the set allowed for
 * it (so ENOSYS, or EFAULT on a valid buffer, is a failure); every thread
 * finishes (every socket has SO_RCVTIMEO and SO_SNDTIMEO, so that no call
 * blocks for long); and afterwards, with the hosts gone, stt.ko unloads (it
 * is then loaded again from $STT_KO).  The guest runner fails the run on a
 * KASAN, lockdep or kmemleak report.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/sockios.h>
#include <net/if.h>

#include "kselftest_harness.h"
#include "pair.h"

#define THREADS		4
#define SLOTS		24
#define LISTEN_PORT	7010	/* stt-a: SOCK_STREAM; +1: SOCK_SEQPACKET */
#define SILENT_PORT	7012	/* stt-a: nothing listens */
#define LOCAL_PORT	7020	/* stt-b: the fuzzers' own listeners, 4 ports */
#define NOBODY4		"192.0.2.77"
#define BUF_SIZE	(256 * 1024)
#define MAX_FAILS	16

/* An errno set: bit e of word e / 64. */
struct errset {
	u64 w[4];
};

static void errset_add(struct errset *s, const int *e, unsigned int n)
{
	while (n--) {
		if (e[n] > 0 && e[n] < 256)
			s->w[e[n] / 64] |= 1ULL << (e[n] % 64);
	}
}

static int errset_has(const struct errset *s, int e)
{
	return e > 0 && e < 256 && (s->w[e / 64] >> (e % 64) & 1);
}

enum op {
	OP_SOCKET, OP_BIND, OP_CONNECT, OP_LISTEN, OP_ACCEPT, OP_SEND,
	OP_RECV, OP_SENDMSG, OP_RECVMSG, OP_SETSOCKOPT, OP_GETSOCKOPT,
	OP_SHUTDOWN, OP_CLOSE, OP_POLL, OP_IOCTL, OP_NAME, OP_COUNT
};

static const char * const op_names[OP_COUNT] = {
	"socket", "bind", "connect", "listen", "accept4", "send", "recv",
	"sendmsg", "recvmsg", "setsockopt", "getsockopt", "shutdown", "close",
	"poll", "ioctl", "getsockname/getpeername",
};

/*
 * What a stream's failure may report on any later call that reads the
 * socket's error: the outcomes of connect() and of a session's end.
 */
static const int allow_stream[] = {
	ECONNREFUSED, ECONNRESET, ETIMEDOUT, EKEYREJECTED, EPROTOTYPE, ENOSR,
	EADDRINUSE, EPROTO, EHOSTUNREACH, ENETUNREACH,
};

static const int allow_socket[] = {
	EPROTONOSUPPORT, ESOCKTNOSUPPORT, EINVAL, ENOMEM, ENOBUFS,
};

static const int allow_bind[] = {
	EINVAL, EAFNOSUPPORT, EADDRINUSE, EADDRNOTAVAIL, EISCONN,
};

static const int allow_connect[] = {
	EINVAL, EAFNOSUPPORT, EALREADY, EINPROGRESS, EISCONN, ENOKEY,
	EADDRNOTAVAIL, ENETDOWN, ENOMEM, ENOBUFS, EOPNOTSUPP, ECONNABORTED,
};

static const int allow_listen[] = {
	EINVAL, ENOKEY, EDESTADDRREQ, EISCONN, EADDRINUSE, EOPNOTSUPP,
};

static const int allow_accept[] = {
	EINVAL, EAGAIN, ECONNABORTED, ENOMEM, ENOBUFS, EMFILE,
};

static const int allow_send[] = {
	EAGAIN, EPIPE, ENOTCONN, EMSGSIZE, EOPNOTSUPP, EISCONN, ENOBUFS,
	ENOMEM, EINVAL,
};

static const int allow_recv[] = {
	EAGAIN, ENOTCONN, EOPNOTSUPP, EINVAL,
};

/* ENOENT: STT_CONGESTION with a name no controller has. */
static const int allow_setsockopt[] = {
	EINVAL, EISCONN, ENOPROTOOPT, EDOM, ENOENT,
};

static const int allow_getsockopt[] = {
	EINVAL, ENOPROTOOPT, EPERM,
};

static const int allow_shutdown[] = { EINVAL, ENOTCONN };

static const int allow_ioctl[] = {
	ENOTTY, EINVAL, ENODEV, ENOENT, EOPNOTSUPP,
};

static const int allow_name[] = { ENOTCONN, EINVAL };

static struct errset allowed[OP_COUNT];

static void allow(int op, const int *list, unsigned int n)
{
	errset_add(&allowed[op], list, n);
}

static void allow_init(void)
{
	static const int ebadf = EBADF;
	unsigned int i;

	allow(OP_SOCKET, allow_socket, ARRAY_SIZE(allow_socket));
	allow(OP_BIND, allow_bind, ARRAY_SIZE(allow_bind));
	allow(OP_CONNECT, allow_connect, ARRAY_SIZE(allow_connect));
	allow(OP_LISTEN, allow_listen, ARRAY_SIZE(allow_listen));
	allow(OP_ACCEPT, allow_accept, ARRAY_SIZE(allow_accept));
	allow(OP_SEND, allow_send, ARRAY_SIZE(allow_send));
	allow(OP_SENDMSG, allow_send, ARRAY_SIZE(allow_send));
	allow(OP_RECV, allow_recv, ARRAY_SIZE(allow_recv));
	allow(OP_RECVMSG, allow_recv, ARRAY_SIZE(allow_recv));
	allow(OP_SETSOCKOPT, allow_setsockopt, ARRAY_SIZE(allow_setsockopt));
	allow(OP_GETSOCKOPT, allow_getsockopt, ARRAY_SIZE(allow_getsockopt));
	allow(OP_SHUTDOWN, allow_shutdown, ARRAY_SIZE(allow_shutdown));
	allow(OP_IOCTL, allow_ioctl, ARRAY_SIZE(allow_ioctl));
	allow(OP_NAME, allow_name, ARRAY_SIZE(allow_name));
	/* Close and poll fail with nothing but EBADF. */
	allow(OP_CONNECT, allow_stream, ARRAY_SIZE(allow_stream));
	allow(OP_SEND, allow_stream, ARRAY_SIZE(allow_stream));
	allow(OP_SENDMSG, allow_stream, ARRAY_SIZE(allow_stream));
	allow(OP_RECV, allow_stream, ARRAY_SIZE(allow_stream));
	allow(OP_RECVMSG, allow_stream, ARRAY_SIZE(allow_stream));
	/* A descriptor another thread closed: EBADF, anywhere. */
	for (i = 0; i < OP_COUNT; i++)
		allow(i, &ebadf, 1);
}

/* The descriptors the threads share; -1 is an empty slot. */
static int pool[SLOTS];
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;

/* What went wrong, for the log; counted past MAX_FAILS. */
static char fails[MAX_FAILS][160];
static int nfails;
static u64 calls[OP_COUNT], errs[OP_COUNT], badf[OP_COUNT];

static void fail(const char *fmt, ...)
{
	va_list ap;
	int i = __atomic_fetch_add(&nfails, 1, __ATOMIC_RELAXED);

	if (i >= MAX_FAILS)
		return;
	va_start(ap, fmt);
	vsnprintf(fails[i], sizeof(fails[i]), fmt, ap);
	va_end(ap);
}

struct fuzzer {
	pthread_t tid;
	int id;
	u64 rng;
	unsigned int iters;
	int op;			/* the call under way, for a hang's report */
	int done;
	unsigned char *buf;
};

/* xorshift64*: small, and each thread has its own. */
static u64 rnd(struct fuzzer *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545f4914f6cdd1dULL;
}

static unsigned int below(struct fuzzer *f, unsigned int n)
{
	return rnd(f) % n;
}

/* One chance in @n. */
static int one_in(struct fuzzer *f, unsigned int n)
{
	return !below(f, n);
}

/*
 * Time limits on every socket, 10 to 300 ms (100 under the debug kernel):
 * nothing blocks for longer.
 */
static int max_wait_us = 290000;

static int bound(int fd, struct fuzzer *f)
{
	struct timeval tv = { .tv_usec = 10000 + (f ? below(f, max_wait_us) : 90000) };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		return -1;
	return 0;
}

/*
 * A slot's descriptor (perhaps closed by now), mostly from a slot in use;
 * now and then -1.
 */
static int pick(struct fuzzer *f)
{
	int i, fd = -1;

	for (i = 0; i < 4 && fd < 0; i++)
		fd = __atomic_load_n(&pool[below(f, SLOTS)], __ATOMIC_RELAXED);
	return fd;
}

static void put(struct fuzzer *f, int fd)
{
	unsigned int i = below(f, SLOTS);
	int old;

	pthread_mutex_lock(&pool_lock);
	old = pool[i];
	__atomic_store_n(&pool[i], fd, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&pool_lock);
	if (old >= 0)
		close(old);
}

static int take(struct fuzzer *f)
{
	unsigned int i = below(f, SLOTS);
	int fd;

	pthread_mutex_lock(&pool_lock);
	fd = pool[i];
	__atomic_store_n(&pool[i], -1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&pool_lock);
	return fd;
}

static socklen_t address(struct fuzzer *f, struct sockaddr_stt *sa);
static void check(struct fuzzer *f, int op, int ret);

/*
 * A new socket, made non-blocking: it gets its time limits, then the
 * blocking mode asked for (@nonblock) and, if @psk, mostly the key; then,
 * so that the calls reach open streams and listeners more often than
 * chance would take them there, often a connect() to a listener of stt-a
 * or a bind() and listen() on a port of stt-b.  Only then does it go into
 * the pool.
 */
/*
 * How long a new socket's connect() may wait for a handshake and the open
 * of its stream: 2 s, 15 s under the debug kernel, where a handshake takes
 * seconds (with less, no stream would ever open there).
 */
static int connect_wait_s = 2;

static void adopt(struct fuzzer *f, int fd, int nonblock, int psk)
{
	struct timeval slow = { .tv_sec = connect_wait_s };
	struct sockaddr_stt sa;
	int type = 0;
	socklen_t len = sizeof(type);

	unsigned char other[STT_PSK_LEN];

	if (bound(fd, f) || (!nonblock && fcntl(fd, F_SETFL, 0))) {
		fail("thread %d: time limits on a new socket: %s", f->id,
		     strerror(errno));
		close(fd);
		return;
	}
	if (!psk) {
		put(f, fd);
		return;
	}
	if (!one_in(f, 8)) {
		setsockopt(fd, SOL_STT, STT_PSK, key, sizeof(key));
	} else if (one_in(f, 2)) {
		memset(other, 0x77, sizeof(other));
		setsockopt(fd, SOL_STT, STT_PSK, other, sizeof(other));
	}
	getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);
	switch (below(f, 4)) {
	case 0:
		sa = one_in(f, 2) ? stt_addr4(STT_A4, LISTEN_PORT, 0) :
				    stt_addr6(STT_A6, LISTEN_PORT, 0);
		if (type == SOCK_SEQPACKET && !one_in(f, 8))
			sa.sstt_port = htons(LISTEN_PORT + 1);
		/* Time for a handshake, so that streams do open. */
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &slow, sizeof(slow));
		check(f, OP_CONNECT, connect(fd, (struct sockaddr *)&sa,
					     sizeof(sa)));
		bound(fd, f);
		break;
	case 1:
		sa = one_in(f, 2) ? stt_addr4(STT_B4, 0, 0) :
				    stt_addr6(STT_B6, 0, 0);
		sa.sstt_port = htons(LOCAL_PORT + below(f, 4));
		check(f, OP_BIND, bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
		check(f, OP_LISTEN, listen(fd, below(f, 64)));
		break;
	case 2:
		len = address(f, &sa);
		check(f, OP_CONNECT, connect(fd, (struct sockaddr *)&sa, len));
		break;
	}
	put(f, fd);
}

/* An address: mostly one that means something, sometimes garbage. */
static socklen_t address(struct fuzzer *f, struct sockaddr_stt *sa)
{
	static const unsigned short ports[] = {
		LISTEN_PORT, LISTEN_PORT + 1, SILENT_PORT, LOCAL_PORT,
		LOCAL_PORT + 1, LOCAL_PORT + 2, LOCAL_PORT + 3, 0,
	};
	unsigned short port = ports[below(f, ARRAY_SIZE(ports))];
	unsigned short stream = one_in(f, 4) ? below(f, 8) : 0;
	socklen_t len = sizeof(*sa);
	unsigned int i;

	switch (below(f, 8)) {
	case 0:
		*sa = stt_addr4(STT_A4, port, stream);
		break;
	case 1:
		*sa = stt_addr6(STT_A6, port, stream);
		break;
	case 2:
		*sa = stt_addr4(STT_B4, port, stream);
		break;
	case 3:
		*sa = stt_addr6(STT_B6, port, stream);
		break;
	case 4:
		*sa = stt_addr4(NOBODY4, port, stream);
		break;
	case 5:
		*sa = stt_addr4(one_in(f, 2) ? "0.0.0.0" : "224.0.0.1", port,
				stream);
		break;
	case 6:
		for (i = 0; i < sizeof(*sa); i++)
			((unsigned char *)sa)[i] = rnd(f);
		if (one_in(f, 2))
			sa->sstt_family = AF_STT;
		break;
	default:
		*sa = stt_addr4(STT_A4, LISTEN_PORT + below(f, 2), stream);
		break;
	}
	if (one_in(f, 16))
		len = below(f, sizeof(*sa) + 16);
	return len;
}

static int random_flags(struct fuzzer *f, const int *flags, unsigned int n)
{
	int v = 0;

	while (n--)
		if (one_in(f, 3))
			v |= flags[n];
	return v;
}

static const int send_flags[] = {
	MSG_DONTWAIT, MSG_MORE, MSG_NOSIGNAL, MSG_EOR, MSG_CONFIRM, MSG_OOB,
	MSG_DONTROUTE, MSG_DONTWAIT,
};

static const int recv_flags[] = {
	MSG_DONTWAIT, MSG_PEEK, MSG_WAITALL, MSG_TRUNC, MSG_OOB,
	MSG_ERRQUEUE, MSG_CMSG_CLOEXEC, MSG_DONTWAIT,
};

/*
 * MSG_PEEK goes with MSG_WAITALL, and SO_RCVLOWAT takes any value: a peek
 * that wants more than is queued once spun in stt_input_recvmsg() with the
 * socket locked.
 */
static int recv_flags_now(struct fuzzer *f)
{
	return random_flags(f, recv_flags, ARRAY_SIZE(recv_flags));
}

static size_t size(struct fuzzer *f)
{
	switch (below(f, 8)) {
	case 0:
		return 0;
	case 1:
		return below(f, BUF_SIZE + 1);
	case 2:
		return 1 + below(f, 65536);
	default:
		return 1 + below(f, 4096);
	}
}

/* Options, with a value and a length; @level SOL_STT or SOL_SOCKET. */
static const int stt_opts[] = {
	STT_PSK, STT_CIPHER, STT_LABEL, STT_MAX_FRAME, STT_NODELAY, STT_CORK,
	STT_PRIORITY, STT_MAX_STREAMS, STT_INFO, STT_RETRANSMIT_TIMEOUT,
	STT_CONGESTION, 0, 12, 1000,
};

static const int sol_opts[] = {
	SO_SNDBUF, SO_RCVBUF, SO_LINGER, SO_RCVTIMEO, SO_SNDTIMEO, SO_ERROR,
	SO_REUSEADDR, SO_KEEPALIVE, SO_TYPE, SO_PROTOCOL, SO_DOMAIN,
	SO_ACCEPTCONN, SO_PRIORITY, SO_RCVLOWAT,
};

static const int int_values[] = {
	0, 1, 2, 3, 7, 8, 255, 1023, 1024, 16384, 65535, 65536, 60000, 60001,
	-1, INT_MAX, INT_MIN,
};

/*
 * The value to set: an int from the list, random bytes, or for the options
 * that bound blocking calls a value that keeps them bounded.  Returns the
 * length to pass.
 */
static int opt_value(struct fuzzer *f, int level, int name, unsigned char *v,
		     size_t cap)
{
	struct timeval tv = { .tv_usec = 1000 + below(f, 299000) };
	struct linger lg = { .l_onoff = below(f, 2), .l_linger = below(f, 2) };
	unsigned int i, len;
	int x;

	for (i = 0; i < 128; i++)
		v[i] = rnd(f);
	if (level == SOL_SOCKET && (name == SO_RCVTIMEO ||
				    name == SO_SNDTIMEO)) {
		if (one_in(f, 8))
			tv.tv_usec = 1000000 + below(f, 1000);	/* EDOM */
		memcpy(v, &tv, sizeof(tv));
		return one_in(f, 8) ? (int)below(f, sizeof(tv)) : (int)sizeof(tv);
	}
	if (level == SOL_SOCKET && name == SO_LINGER) {
		memcpy(v, &lg, sizeof(lg));
		return one_in(f, 8) ? (int)below(f, sizeof(lg)) : (int)sizeof(lg);
	}
	switch (below(f, 4)) {
	case 0:
		len = below(f, 129);
		break;
	case 1:
		len = level == SOL_STT && name == STT_PSK ? STT_PSK_LEN :
		      below(f, STT_LABEL_MAX + 2);
		break;
	default:
		x = one_in(f, 2) ? (int)below(f, 70000) :
		    int_values[below(f, ARRAY_SIZE(int_values))];
		memcpy(v, &x, sizeof(x));
		len = one_in(f, 8) ? below(f, 9) : sizeof(int);
		break;
	}
	if (len > cap)
		len = cap;
	return one_in(f, 64) ? -1 : (int)len;
}

static void do_sockopt(struct fuzzer *f, int fd, int set, int *ret)
{
	unsigned char v[256];
	socklen_t len;
	int level, name, n;

	if (one_in(f, 2)) {
		level = SOL_STT;
		name = stt_opts[below(f, ARRAY_SIZE(stt_opts))];
	} else {
		level = SOL_SOCKET;
		name = sol_opts[below(f, ARRAY_SIZE(sol_opts))];
	}
	if (one_in(f, 32))
		level = one_in(f, 2) ? 6 : (int)rnd(f);	/* SOL_TCP, garbage */
	if (set) {
		n = opt_value(f, level, name, v, sizeof(v));
		*ret = setsockopt(fd, level, name, v, (socklen_t)n);
		return;
	}
	n = one_in(f, 16) ? -1 : (int)below(f, sizeof(v) + 1);
	len = n;
	*ret = getsockopt(fd, level, name, v, &len);
	if (!*ret && n >= 0 && len > (socklen_t)n)
		fail("thread %d: getsockopt(%d, %d) gave %u bytes of %d",
		     f->id, level, name, len, n);
}

static unsigned int iovecs(struct fuzzer *f, struct iovec *iov,
			   unsigned char *buf)
{
	unsigned int i, n = 1 + below(f, 4);
	size_t left = BUF_SIZE, len;

	for (i = 0; i < n; i++) {
		len = size(f);
		if (len > left)
			len = left;
		iov[i].iov_base = buf + (BUF_SIZE - left);
		iov[i].iov_len = len;
		left -= len;
	}
	return n;
}

static void do_msg(struct fuzzer *f, int fd, int out, int *ret)
{
	struct sockaddr_stt sa;
	struct iovec iov[4];
	union {
		struct cmsghdr c;
		unsigned char b[64];
	} ctl;
	struct msghdr m = { .msg_iov = iov };
	unsigned int i;

	m.msg_iovlen = iovecs(f, iov, f->buf);
	if (one_in(f, 8)) {
		m.msg_namelen = address(f, &sa);
		m.msg_name = &sa;
	}
	if (one_in(f, 8)) {
		for (i = 0; i < sizeof(ctl); i++)
			ctl.b[i] = rnd(f);
		ctl.c.cmsg_len = below(f, sizeof(ctl) + 1);
		m.msg_control = &ctl;
		m.msg_controllen = below(f, sizeof(ctl) + 1);
	}
	if (out)
		*ret = sendmsg(fd, &m, random_flags(f, send_flags,
						    ARRAY_SIZE(send_flags)));
	else
		*ret = recvmsg(fd, &m, recv_flags_now(f));
}

static void do_poll(struct fuzzer *f)
{
	struct pollfd p[4];
	unsigned int i, n = 1 + below(f, 4);
	int ret;

	for (i = 0; i < n; i++) {
		p[i].fd = pick(f);
		p[i].events = rnd(f) & (POLLIN | POLLOUT | POLLPRI | POLLRDHUP);
	}
	ret = poll(p, n, below(f, 20));
	if (ret < 0)
		fail("thread %d: poll: %s", f->id, strerror(errno));
}

static void do_ioctl(struct fuzzer *f, int fd, int *ret)
{
	static const unsigned long cmds[] = {
		FIONREAD, SIOCOUTQ, SIOCATMARK, SIOCGSTAMP, SIOCGSTAMPNS,
		SIOCGIFINDEX, SIOCGIFNAME, SIOCGIFMTU, FIONBIO, FIOASYNC,
		SIOCPROTOPRIVATE, SIOCPROTOPRIVATE + 15, SIOCOUTQNSD,
	};
	unsigned long cmd = cmds[below(f, ARRAY_SIZE(cmds))];
	union {
		struct ifreq ifr;
		struct timespec ts;
		int i;
		unsigned char b[64];
	} arg;
	unsigned int i;

	for (i = 0; i < sizeof(arg); i++)
		arg.b[i] = rnd(f);
	if (cmd == FIONBIO || cmd == FIOASYNC)
		arg.i = below(f, 2);
	if (cmd == SIOCGIFINDEX || cmd == SIOCGIFNAME || cmd == SIOCGIFMTU) {
		if (one_in(f, 2))
			snprintf(arg.ifr.ifr_name, IFNAMSIZ, "%s",
				 one_in(f, 2) ? "veth0" : "lo");
		else
			arg.ifr.ifr_name[IFNAMSIZ - 1] = '\0';
	}
	*ret = ioctl(fd, cmd, &arg);
}

/* Count a call; the errno of a failure is checked against the call's set. */
static void check(struct fuzzer *f, int op, int ret)
{
	__atomic_fetch_add(&calls[op], 1, __ATOMIC_RELAXED);
	if (ret >= 0)
		return;
	__atomic_fetch_add(&errs[op], 1, __ATOMIC_RELAXED);
	if (errno == EBADF)
		__atomic_fetch_add(&badf[op], 1, __ATOMIC_RELAXED);
	if (!errset_has(&allowed[op], errno))
		fail("thread %d: %s failed with errno %d (%s)", f->id,
		     op_names[op], errno, strerror(errno));
}

/* One call at random. */
static void one(struct fuzzer *f)
{
	static const int types[] = {
		SOCK_STREAM, SOCK_SEQPACKET, SOCK_STREAM, SOCK_SEQPACKET,
		SOCK_STREAM | SOCK_NONBLOCK, SOCK_SEQPACKET | SOCK_NONBLOCK,
		SOCK_DGRAM, SOCK_RAW,
	};
	struct sockaddr_stt sa;
	int op = below(f, OP_COUNT), fd = pick(f), ret = 0, type, nonblock;
	socklen_t len;

	__atomic_store_n(&f->op, op, __ATOMIC_RELAXED);
	errno = 0;
	switch (op) {
	case OP_SOCKET:
		type = types[below(f, ARRAY_SIZE(types))];
		if (one_in(f, 4))
			type |= SOCK_CLOEXEC;
		if (one_in(f, 32))
			type = rnd(f);
		nonblock = type & SOCK_NONBLOCK;
		ret = socket(AF_STT, type | SOCK_NONBLOCK,
			     one_in(f, 16) ? (int)rnd(f) % 300 : 0);
		if (ret >= 0)
			adopt(f, ret, nonblock, 1);
		break;
	case OP_BIND:
		len = address(f, &sa);
		if (one_in(f, 2))
			sa.sstt_port = htons(LOCAL_PORT + below(f, 4));
		ret = bind(fd, (struct sockaddr *)&sa, len);
		break;
	case OP_CONNECT:
		len = address(f, &sa);
		ret = connect(fd, (struct sockaddr *)&sa, len);
		break;
	case OP_LISTEN:
		ret = listen(fd, (int)below(f, 1100) - 50);
		break;
	case OP_ACCEPT:
		len = sizeof(sa);
		/*
		 * Non-blocking until it has its time limits: another thread
		 * may already call on its number, which was closed before.
		 */
		type = one_in(f, 16) ? (int)rnd(f) : one_in(f, 2) ? SOCK_CLOEXEC : 0;
		nonblock = type & SOCK_NONBLOCK;
		/* A name wants its length (else EFAULT, rightly). */
		if (one_in(f, 2))
			ret = accept4(fd, NULL, NULL, type | SOCK_NONBLOCK);
		else
			ret = accept4(fd, (struct sockaddr *)&sa, &len,
				      type | SOCK_NONBLOCK);
		if (ret >= 0)
			adopt(f, ret, nonblock, 0);
		break;
	case OP_SEND:
		ret = send(fd, f->buf, size(f),
			   random_flags(f, send_flags, ARRAY_SIZE(send_flags)));
		break;
	case OP_RECV:
		ret = recv(fd, f->buf, size(f),
			   recv_flags_now(f));
		break;
	case OP_SENDMSG:
		do_msg(f, fd, 1, &ret);
		break;
	case OP_RECVMSG:
		do_msg(f, fd, 0, &ret);
		break;
	case OP_SETSOCKOPT:
		do_sockopt(f, fd, 1, &ret);
		break;
	case OP_GETSOCKOPT:
		do_sockopt(f, fd, 0, &ret);
		break;
	case OP_SHUTDOWN:
		ret = shutdown(fd, below(f, 4));
		break;
	case OP_CLOSE:
		fd = take(f);
		if (fd >= 0)
			ret = close(fd);
		break;
	case OP_POLL:
		do_poll(f);
		break;
	case OP_IOCTL:
		do_ioctl(f, fd, &ret);
		break;
	default:
		len = one_in(f, 8) ? below(f, sizeof(sa)) : sizeof(sa);
		if (one_in(f, 2))
			ret = getsockname(fd, (struct sockaddr *)&sa, &len);
		else
			ret = getpeername(fd, (struct sockaddr *)&sa, &len);
		break;
	}
	check(f, op, ret);
}

static void *fuzz(void *arg)
{
	struct fuzzer *f = arg;
	unsigned int i;

	for (i = 0; i < f->iters; i++)
		one(f);
	__atomic_store_n(&f->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Host stt-a: listeners of both types on its IPv4 and IPv6 address, and a
 * reader of what they accept.
 */
#define NLFD	4

struct peer {
	pthread_t tid;
	int lfd[NLFD];
	int stop;
	u64 accepted;
};

static void *peer_run(void *arg)
{
	struct peer *p = arg;
	struct pollfd fds[NLFD + 32];
	static char sink[65536];
	unsigned int n = NLFD, i, next = 0;
	ssize_t ret;
	int fd;

	for (i = 0; i < NLFD; i++)
		fds[i].fd = p->lfd[i];
	while (!__atomic_load_n(&p->stop, __ATOMIC_RELAXED)) {
		for (i = 0; i < n; i++)
			fds[i].events = POLLIN;
		if (poll(fds, n, 20) <= 0)
			continue;
		for (i = NLFD; i < n; i++) {
			if (!fds[i].revents)
				continue;
			ret = recv(fds[i].fd, sink, sizeof(sink), MSG_DONTWAIT);
			if (ret > 0) {
				/* An echo, for the other side's recv(). */
				send(fds[i].fd, sink, ret, MSG_DONTWAIT);
				continue;
			}
			if (errno == EAGAIN && !(fds[i].revents & (POLLERR | POLLHUP)))
				continue;
			close(fds[i].fd);
			fds[i--] = fds[--n];
		}
		for (i = 0; i < NLFD; i++) {
			if (!(fds[i].revents & POLLIN))
				continue;
			fd = accept4(fds[i].fd, NULL, NULL, SOCK_NONBLOCK);
			if (fd < 0)
				continue;
			p->accepted++;
			bound(fd, NULL);
			if (n == ARRAY_SIZE(fds)) {
				/* Full: the oldest goes, as a peer may. */
				next = NLFD + (next + 1) % (n - NLFD);
				close(fds[next].fd);
				fds[next].fd = fd;
			} else {
				fds[n++].fd = fd;
			}
		}
	}
	for (i = NLFD; i < n; i++)
		close(fds[i].fd);
	return NULL;
}

static int unload_stt(void)
{
	struct timespec tick = { .tv_nsec = 20 * 1000 * 1000 };
	int i, err = 0;

	for (i = 0; i < 3000; i++) {
		err = syscall(SYS_delete_module, "stt", O_NONBLOCK) ? errno : 0;
		if (err != EWOULDBLOCK)
			break;
		nanosleep(&tick, NULL);
	}
	return err;
}

static int load_stt(void)
{
	const char *ko = getenv("STT_KO");
	int fd, err = 0;

	errno = ENOENT;		/* what a missing $STT_KO reports */
	fd = ko ? open(ko, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0)
		return errno;
	if (syscall(SYS_finit_module, fd, "", 0))
		err = errno;
	close(fd);
	return err;
}

static u64 env_or(const char *name, u64 dflt)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : dflt;
}

FIXTURE(fuzz) {};
FIXTURE_SETUP(fuzz) {}
FIXTURE_TEARDOWN(fuzz) {}

TEST_F_TIMEOUT(fuzz, random_calls_from_threads, 600)
{
	struct fuzzer f[THREADS];
	struct peer p = { 0 };
	struct sockaddr_stt sa;
	u64 seed = env_or("STT_FUZZ_SEED", (u64)time(NULL) ^ getpid());
	unsigned int iters = env_or("STT_FUZZ_ITERS",
				    debug_kernel() ? 600 : 4000);
	long long start, deadline, took;
	unsigned int i, stuck = 0;
	u64 total = 0;
	int err;

	signal(SIGPIPE, SIG_IGN);
	allow_init();
	if (debug_kernel()) {
		max_wait_us = 90000;
		connect_wait_s = 15;
	}
	TH_LOG("seed %llu (STT_FUZZ_SEED), %u calls in each of %d threads",
	       seed, iters, THREADS);
	for (i = 0; i < SLOTS; i++)
		pool[i] = -1;

	ASSERT_EQ(0, stt_hosts_up());
	ASSERT_EQ(0, stt_enter("stt-a"));
	for (i = 0; i < NLFD; i++) {
		sa = i / 2 ? stt_addr6(STT_A6, LISTEN_PORT + i % 2, 0) :
			     stt_addr4(STT_A4, LISTEN_PORT + i % 2, 0);
		p.lfd[i] = listener(&sa, i % 2 ? SOCK_SEQPACKET : SOCK_STREAM);
		ASSERT_LE(0, p.lfd[i]);
		ASSERT_EQ(0, bound(p.lfd[i], NULL));
	}
	ASSERT_EQ(0, pthread_create(&p.tid, NULL, peer_run, &p));
	/*
	 * A handshake with nobody ends in 2 s, not 10; a closed stream whose
	 * end the peer never acknowledges, or an idle session, goes in 3 s.
	 * Under the debug kernel a handshake itself takes seconds: it gets
	 * 20, or no stream would ever open there.
	 */
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, sysctl_in(i ? "stt-b" : "stt-a",
				       "handshake_timeout_ms",
				       debug_kernel() ? 20000 : 2000));
		ASSERT_EQ(0, sysctl_in(i ? "stt-b" : "stt-a",
				       "user_timeout_ms", 3000));
		ASSERT_EQ(0, sysctl_in(i ? "stt-b" : "stt-a",
				       "idle_timeout_ms", 3000));
	}
	ASSERT_EQ(0, stt_enter("stt-b"));

	start = ms_now();
	for (i = 0; i < THREADS; i++) {
		f[i] = (struct fuzzer){ .id = i, .iters = iters, .op = -1 };
		f[i].rng = (seed + i) * 0x9e3779b97f4a7c15ULL | 1;
		f[i].buf = calloc(1, BUF_SIZE);
		ASSERT_NE(NULL, f[i].buf);
		ASSERT_EQ(0, pthread_create(&f[i].tid, NULL, fuzz, &f[i]));
	}
	/* Every call is bounded: all must be done well within the limit. */
	deadline = start + (debug_kernel() ? 400000 : 100000);
	for (i = 0; i < THREADS; i++) {
		while (!__atomic_load_n(&f[i].done, __ATOMIC_ACQUIRE) &&
		       ms_now() < deadline)
			usleep(10000);
		if (!f[i].done) {
			TH_LOG("thread %d hangs in %s", i,
			       f[i].op >= 0 ? op_names[f[i].op] : "?");
			stuck++;
		}
	}
	ASSERT_EQ(0, stuck);
	took = ms_now() - start;
	for (i = 0; i < THREADS; i++) {
		pthread_join(f[i].tid, NULL);
		free(f[i].buf);
	}
	__atomic_store_n(&p.stop, 1, __ATOMIC_RELAXED);
	pthread_join(p.tid, NULL);

	for (i = 0; i < OP_COUNT; i++) {
		TH_LOG("%-24s %6llu calls, %6llu failed (%llu EBADF)",
		       op_names[i], calls[i], errs[i], badf[i]);
		total += calls[i];
	}
	TH_LOG("%llu calls in %lld ms, %llu streams accepted by stt-a",
	       total, took, p.accepted);
	for (i = 0; i < (unsigned int)nfails && i < MAX_FAILS; i++)
		TH_LOG("%s", fails[i]);
	EXPECT_EQ(0, nfails);

	for (i = 0; i < SLOTS; i++)
		if (pool[i] >= 0)
			close(pool[i]);
	for (i = 0; i < NLFD; i++)
		close(p.lfd[i]);
	stt_hosts_down();

	/* Nothing the calls left behind may hold the module. */
	if (!getenv("STT_KO")) {
		TH_LOG("no $STT_KO: the module is not unloaded");
		return;
	}
	start = ms_now();
	err = unload_stt();
	TH_LOG("module unloaded in %lld ms: %s", ms_now() - start,
	       err ? strerror(err) : "ok");
	EXPECT_EQ(0, err);
	if (!err)
		EXPECT_EQ(0, load_stt());
}

TEST_HARNESS_MAIN
