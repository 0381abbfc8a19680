/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running tools/sttpeer/sttpeer.py, the Python implementation of the wire
 * format, as the other node of a test, in a host of netns.h.  Python and
 * its cryptography take seconds to start in the emulated guest (tens under
 * the debug kernel), so the program starts the peer once, before the
 * harness forks its tests (peer_proc_start() in main()), as "sttpeer.py commands";
 * each test sends it one command line and reads its output line by line
 * until "exit ID STATUS", ID being the test's pid.  The repository is
 * $STT_REPO, else the first directory above this program (built into
 * <repo>/build/selftests by check.sh) or above the working directory that
 * holds tools/sttpeer/sttpeer.py.  Include after pair.h.
 */
#ifndef _STT_PEER_H
#define _STT_PEER_H

#include <limits.h>
#include <signal.h>
#include <stdarg.h>

#define PEER_SCRIPT	"tools/sttpeer/sttpeer.py"
#define PEER_PYTHON	"/usr/bin/python3"
#define PEER_LINES	256

/* The one peer process: its pid, standard input and output. */
static struct {
	pid_t pid;
	int in, out;
} peer_proc;

struct peer {
	pid_t pid;		/* the test that runs the command, its ID */
	int fd;			/* the peer's standard output and error */
	int in;			/* its standard input */
	char buf[8192];		/* what was read and not yet a whole line */
	size_t len;
	char *lines[PEER_LINES];	/* every line it printed */
	int nlines;
	int status;		/* exit status once it ended, else -1 */
};

/* Whether @dir/PEER_SCRIPT exists; @dir is cut at its last '/' if not. */
static inline int peer_found_in(char *dir)
{
	char path[PATH_MAX + 32];

	for (;;) {
		snprintf(path, sizeof(path), "%s/%s", dir, PEER_SCRIPT);
		if (!access(path, R_OK))
			return 1;
		if (!strrchr(dir, '/') || strrchr(dir, '/') == dir)
			return 0;
		*strrchr(dir, '/') = '\0';
	}
}

/* The path of sttpeer.py, or NULL. */
static inline const char *peer_script(void)
{
	static char path[PATH_MAX + 32];
	char dir[PATH_MAX];
	const char *env = getenv("STT_REPO");
	ssize_t n;

	if (env) {
		snprintf(path, sizeof(path), "%s/%s", env, PEER_SCRIPT);
		return access(path, R_OK) ? NULL : path;
	}
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n > 0) {
		dir[n] = '\0';
		if (peer_found_in(dir))
			goto found;
	}
	if (getcwd(dir, sizeof(dir)) && peer_found_in(dir))
		goto found;
	return NULL;
found:
	snprintf(path, sizeof(path), "%s/%s", dir, PEER_SCRIPT);
	return path;
}

/* Start "sttpeer.py commands" in the caller's namespace; 0 on success. */
static inline int peer_proc_start(void)
{
	const char *script = peer_script();
	int pfd[2], ifd[2];

	if (!script || pipe(pfd) || pipe(ifd))
		return -1;
	peer_proc.pid = fork();
	if (peer_proc.pid < 0)
		return -1;
	if (!peer_proc.pid) {
		dup2(ifd[0], 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		close(ifd[0]);
		close(ifd[1]);
		execl(PEER_PYTHON, PEER_PYTHON, script, "commands", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	close(ifd[0]);
	peer_proc.in = ifd[1];
	peer_proc.out = pfd[0];
	return 0;
}

/* Write @line to the peer's standard input; 0 on success. */
static inline int peer_say(struct peer *p, const char *line)
{
	size_t n = strlen(line);

	return write(p->in, line, n) == (ssize_t)n ? 0 : -1;
}

/*
 * Have the peer run, in host @ns, the command given by the NULL-terminated
 * arguments (no spaces in any); 0 on success.
 */
static inline int peer_start(struct peer *p, const char *ns, ...)
{
	char line[1024];
	const char *arg;
	size_t n;
	va_list ap;

	memset(p, 0, sizeof(*p));
	p->status = -1;
	if (peer_proc.pid <= 0)
		return -1;
	p->pid = getpid();
	p->fd = peer_proc.out;
	p->in = peer_proc.in;
	n = snprintf(line, sizeof(line), "%d %s", p->pid, ns);
	va_start(ap, ns);
	while ((arg = va_arg(ap, const char *)) && n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - n, " %s", arg);
	va_end(ap);
	if (n >= sizeof(line) - 1)
		return -1;
	strcat(line, "\n");
	return peer_say(p, line);
}

/*
 * Read what the peer printed, for up to @ms milliseconds, until a line
 * starting with @want arrives (NULL: until it closes its output).  Each
 * line is echoed to the test's output.  Returns the line, or NULL.
 */
static inline const char *peer_read(struct peer *p, const char *want, int ms)
{
	long long end = ms_now() + ms, left;
	struct pollfd pf = { .fd = p->fd, .events = POLLIN };
	char *nl, *line;
	ssize_t n;

	for (;;) {
		while ((nl = memchr(p->buf, '\n', p->len))) {
			*nl = '\0';
			line = strdup(p->buf);
			p->len -= nl + 1 - p->buf;
			memmove(p->buf, nl + 1, p->len);
			if (!line)
				return NULL;
			printf("# peer: %s\n", line);
			if (p->nlines == PEER_LINES) {
				free(line);
				continue;
			}
			p->lines[p->nlines++] = line;
			if (want && !strncmp(line, want, strlen(want)))
				return line;
		}
		left = end - ms_now();
		if (left <= 0 || poll(&pf, 1, left) != 1)
			return NULL;
		if (p->len == sizeof(p->buf) - 1)
			p->len = 0;	/* a line that long is garbage */
		n = read(p->fd, p->buf + p->len, sizeof(p->buf) - 1 - p->len);
		if (n <= 0)
			return NULL;
		p->len += n;
	}
}

/*
 * Wait up to @ms for the peer to finish the command; its exit status, or
 * -1 if it did not end in time.
 */
static inline int peer_wait(struct peer *p, int ms)
{
	char want[32];
	const char *line;

	snprintf(want, sizeof(want), "exit %d ", p->pid);
	line = peer_read(p, want, ms);
	p->status = line ? atoi(line + strlen(want)) : -1;
	return p->status;
}

/* The last line the peer printed that starts with @prefix, or NULL. */
static inline const char *peer_line(const struct peer *p, const char *prefix)
{
	int i;

	for (i = p->nlines - 1; i >= 0; i--)
		if (!strncmp(p->lines[i], prefix, strlen(prefix)))
			return p->lines[i];
	return NULL;
}

/* The value of "name=N" in the peer's "result" line, or -1. */
static inline long long peer_result(const struct peer *p, const char *name)
{
	const char *r = peer_line(p, "result ");
	char pat[64];
	const char *at;

	if (!r)
		return -1;
	snprintf(pat, sizeof(pat), " %s=", name);
	at = strstr(r, pat);
	return at ? atoll(at + strlen(pat)) : -1;
}

static inline void peer_free(struct peer *p)
{
	int i;

	for (i = 0; i < p->nlines; i++)
		free(p->lines[i]);
	p->nlines = 0;
}

/* pair.h's key as the 64 hex digits of the peer's --psk. */
static inline const char *peer_psk(void)
{
	static char hex[2 * STT_PSK_LEN + 1];
	int i;

	for (i = 0; i < STT_PSK_LEN; i++)
		sprintf(hex + 2 * i, "%02x", key[i]);
	return hex;
}

#endif /* _STT_PEER_H */
