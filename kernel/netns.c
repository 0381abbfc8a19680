// SPDX-License-Identifier: GPL-2.0
/*
 * Per-network-namespace state.  Owns struct stt_net: the net.stt.* sysctls
 * (a per-namespace copy of a template table, as SCTP does), the per-CPU
 * counters shown in /proc/net/stt/stats, the /proc/net/stt directory (mem.c
 * fills its memory file), and the order in which a namespace's sessions and
 * endpoints are torn down when the namespace goes away, after which no
 * memory may be left charged to it.
 */
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "stt.h"

unsigned int stt_net_id __read_mostly;

static int stt_zero;
static int stt_one = 1;
static int stt_streams_max = 65535;
static int stt_ms_max = 24 * 3600 * 1000;
static int stt_suite_max = STT_SUITES_ALL;
static int stt_int_max = INT_MAX;
static int stt_frame_min = STT_MAX_FRAME_MIN;
static int stt_frame_max = STT_MAX_FRAME_MAX;
static int stt_buf_min = 4096;
static int stt_buf_max = 64 << 20;
static int stt_mem_min = 256;
static int stt_sbuf_min = 64 << 10;
static int stt_sbuf_max = 1 << 30;
static int stt_half_open_max = 1 << 20;
static int stt_rate_max = 1000000;
static int stt_txq_min = 4096;

/* Defaults of a new namespace; the same numbers are in Documentation/stt.rst. */
static const struct stt_sysctl stt_sysctl_defaults = {
	.max_concurrent_streams	= 256,
	.handshake_timeout_ms	= 10000,
	.handshake_retry_ms	= 200,
	.keepalive_ms		= 15000,
	.idle_timeout_ms	= 180000,
	.rekey_after_mbytes	= 100,
	.rekey_after_packets	= 1 << 30,
	.rekey_after_ms		= 3600 * 1000,
	.suites			= STT_SUITE_CHACHA20_POLY1305,
	.max_frame		= 16384,
	.stream_sndbuf		= 256 * 1024,
	.stream_rcvbuf		= 256 * 1024,
	.rto_initial_ms		= 100,
	.rto_min_ms		= 20,
	.rto_max_ms		= 10000,
	.user_timeout_ms	= 30000,
	.mem_max_kbytes		= 64 * 1024,
	.session_rcvbuf		= 4 << 20,
	.udp_checksum		= 1,
	.handshake_cookie_threshold = 64,
	.max_half_open		= 1024,
	.handshake_ratelimit	= 20,
	.congestion_control	= STT_CONGESTION_NEWRENO,
	.limit_output_bytes	= 1 << 20,
};

#define STT_SYSCTL(field, lo, hi) {					\
	.procname	= #field,					\
	.data		= (void *)offsetof(struct stt_sysctl, field),	\
	.maxlen		= sizeof(int),					\
	.mode		= 0644,						\
	.proc_handler	= proc_dointvec_minmax,				\
	.extra1		= lo,						\
	.extra2		= hi,						\
}

/*
 * congestion_control: the name of a controller, kept as its number (an int
 * at ->data, like the others).  An unknown name is refused with ENOENT.
 */
static int stt_sysctl_cc(STT_CTL_TABLE *table, int write, void *buffer,
			 size_t *lenp, loff_t *ppos)
{
	char name[STT_CONGESTION_NAME_MAX];
	struct ctl_table t = {
		.data	= name,
		.maxlen	= sizeof(name),
	};
	int *algo = table->data, err;

	strscpy(name, stt_cc_name(READ_ONCE(*algo)), sizeof(name));
	err = proc_dostring(&t, write, buffer, lenp, ppos);
	if (err || !write)
		return err;
	err = stt_cc_find(name);
	if (err < 0)
		return err;
	WRITE_ONCE(*algo, err);
	return 0;
}

/* available_congestion_control: the names, read-only. */
static int stt_sysctl_cc_available(STT_CTL_TABLE *table, int write,
				   void *buffer, size_t *lenp, loff_t *ppos)
{
	char names[STT_CC_ALGOS * STT_CONGESTION_NAME_MAX];
	struct ctl_table t = {
		.data	= names,
		.maxlen	= sizeof(names),
	};
	size_t n = 0;
	int i;

	names[0] = '\0';
	for (i = 1; i <= STT_CC_ALGOS; i++)
		n += scnprintf(names + n, sizeof(names) - n, "%s%s",
			       i > 1 ? " " : "", stt_cc_name(i));
	return proc_dostring(&t, write, buffer, lenp, ppos);
}

static const struct ctl_table stt_sysctl_template[] = {
	STT_SYSCTL(max_concurrent_streams, &stt_one, &stt_streams_max),
	STT_SYSCTL(handshake_timeout_ms, &stt_one, &stt_ms_max),
	STT_SYSCTL(handshake_retry_ms, &stt_one, &stt_ms_max),
	STT_SYSCTL(keepalive_ms, &stt_zero, &stt_ms_max),
	STT_SYSCTL(idle_timeout_ms, &stt_one, &stt_ms_max),
	STT_SYSCTL(rekey_after_mbytes, &stt_one, &stt_int_max),
	STT_SYSCTL(rekey_after_packets, &stt_one, &stt_int_max),
	STT_SYSCTL(rekey_after_ms, &stt_one, &stt_ms_max),
	STT_SYSCTL(suites, &stt_one, &stt_suite_max),
	STT_SYSCTL(max_frame, &stt_frame_min, &stt_frame_max),
	STT_SYSCTL(stream_sndbuf, &stt_buf_min, &stt_buf_max),
	STT_SYSCTL(stream_rcvbuf, &stt_buf_min, &stt_buf_max),
	STT_SYSCTL(rto_initial_ms, &stt_one, &stt_ms_max),
	STT_SYSCTL(rto_min_ms, &stt_one, &stt_ms_max),
	STT_SYSCTL(rto_max_ms, &stt_one, &stt_ms_max),
	STT_SYSCTL(user_timeout_ms, &stt_one, &stt_ms_max),
	STT_SYSCTL(mem_max_kbytes, &stt_mem_min, &stt_int_max),
	STT_SYSCTL(session_rcvbuf, &stt_sbuf_min, &stt_sbuf_max),
	STT_SYSCTL(udp_checksum, &stt_zero, &stt_one),
	STT_SYSCTL(handshake_cookie_threshold, &stt_zero, &stt_half_open_max),
	STT_SYSCTL(max_half_open, &stt_one, &stt_half_open_max),
	STT_SYSCTL(handshake_ratelimit, &stt_one, &stt_rate_max),
	STT_SYSCTL(limit_output_bytes, &stt_txq_min, &stt_int_max),
	{
		.procname	= "congestion_control",
		.data		= (void *)offsetof(struct stt_sysctl,
						   congestion_control),
		.maxlen		= STT_CONGESTION_NAME_MAX,
		.mode		= 0644,
		.proc_handler	= stt_sysctl_cc,
	},
	{
		/* ->data is unused: it points at the settings' start. */
		.procname	= "available_congestion_control",
		.maxlen		= STT_CC_ALGOS * STT_CONGESTION_NAME_MAX,
		.mode		= 0444,
		.proc_handler	= stt_sysctl_cc_available,
	},
	{ }
};

static int stt_sysctl_register(struct net *net, struct stt_net *sn)
{
	struct ctl_table *table;
	int i;

	sn->sysctl = stt_sysctl_defaults;
	table = kmemdup(stt_sysctl_template, sizeof(stt_sysctl_template),
			GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	/* The template holds offsets into struct stt_sysctl. */
	for (i = 0; table[i].procname; i++)
		table[i].data = (char *)&sn->sysctl +
				(uintptr_t)stt_sysctl_template[i].data;

	/* The size leaves out the sentinel, which only old kernels read. */
	sn->sysctl_hdr = stt_register_net_sysctl(net, "net/stt", table,
						 ARRAY_SIZE(stt_sysctl_template) - 1);
	if (!sn->sysctl_hdr) {
		kfree(table);
		return -ENOMEM;
	}
	sn->sysctl_table = table;
	return 0;
}

static void stt_sysctl_unregister(struct stt_net *sn)
{
	unregister_net_sysctl_table(sn->sysctl_hdr);
	kfree(sn->sysctl_table);
}

/* Every counter needs a name here; the names are user API. */
static const char * const stt_stat_names[STT_STAT_MAX] = {
	[STT_STAT_HANDSHAKES_STARTED]        = "handshakes_started",
	[STT_STAT_HANDSHAKES_ACCEPTED]       = "handshakes_accepted",
	[STT_STAT_HANDSHAKES_COMPLETED]      = "handshakes_completed",
	[STT_STAT_HANDSHAKES_KEY_REJECTED]   = "handshakes_key_rejected",
	[STT_STAT_HANDSHAKES_PROOF_FAILED]   = "handshakes_proof_failed",
	[STT_STAT_HANDSHAKES_REFUSED]        = "handshakes_refused",
	[STT_STAT_HANDSHAKES_TIMED_OUT]      = "handshakes_timed_out",
	[STT_STAT_HANDSHAKE_RETRANSMITS]     = "handshake_retransmits",
	[STT_STAT_SESSIONS_IDLE]             = "sessions_idle",
	[STT_STAT_SESSIONS_PEER_TIMEOUT]     = "sessions_peer_timeout",
	[STT_STAT_SESSIONS_CLOSED_BY_PEER]   = "sessions_closed_by_peer",
	[STT_STAT_KEEPALIVES]                = "keepalives",
	[STT_STAT_SESSIONS_CLOSED]           = "sessions_closed",
	[STT_STAT_REKEYS]                    = "rekeys",
	[STT_STAT_PACKETS_IN]                = "packets_in",
	[STT_STAT_PACKETS_OUT]               = "packets_out",
	[STT_STAT_BYTES_IN]                  = "bytes_in",
	[STT_STAT_BYTES_OUT]                 = "bytes_out",
	[STT_STAT_DROP_TRUNCATED]            = "drop_truncated",
	[STT_STAT_DROP_VERSION]              = "drop_version",
	[STT_STAT_DROP_HEADER]               = "drop_header",
	[STT_STAT_DROP_NO_SESSION]           = "drop_no_session",
	[STT_STAT_DROP_AUTH]                 = "drop_auth",
	[STT_STAT_DROP_REPLAY]               = "drop_replay",
	[STT_STAT_DROP_KEY_PHASE]            = "drop_key_phase",
	[STT_STAT_DROP_FRAME]                = "drop_frame",
	[STT_STAT_DROP_HELLO_SHORT]          = "drop_hello_short",
	[STT_STAT_DROP_HANDSHAKE_QUEUE]      = "drop_handshake_queue",
	[STT_STAT_DROP_HANDSHAKE_STATE]      = "drop_handshake_state",
	[STT_STAT_DROP_NOMEM]                = "drop_nomem",
	[STT_STAT_TX_ERRORS]                 = "tx_errors",
	[STT_STAT_STREAMS_OPENED]            = "streams_opened",
	[STT_STAT_STREAMS_ACCEPTED]          = "streams_accepted",
	[STT_STAT_STREAMS_REFUSED]           = "streams_refused",
	[STT_STAT_STREAMS_REFUSED_BY_PEER]   = "streams_refused_by_peer",
	[STT_STAT_STREAM_OPEN_RETRANSMITS]   = "stream_open_retransmits",
	[STT_STAT_STREAM_OPEN_STALE]         = "stream_open_stale",
	[STT_STAT_STREAMS_RESET_IN]          = "streams_reset_in",
	[STT_STAT_STREAMS_RESET_OUT]         = "streams_reset_out",
	[STT_STAT_STREAM_WINDOW_BLOCKED]     = "stream_window_blocked",
	[STT_STAT_WINDOW_UPDATES_OUT]        = "window_updates_out",
	[STT_STAT_DATA_OUT_OF_ORDER]         = "data_out_of_order",
	[STT_STAT_DROP_NO_STREAM]            = "drop_no_stream",
	[STT_STAT_DROP_STREAM_CLOSED]        = "drop_stream_closed",
	[STT_STAT_DROP_FLOW_CONTROL]         = "drop_flow_control",
	[STT_STAT_DROP_DUPLICATE]            = "drop_duplicate",
	[STT_STAT_SESSIONS_USER_TIMEOUT]     = "sessions_user_timeout",
	[STT_STAT_ACKS_OUT]                  = "acks_out",
	[STT_STAT_ACKS_PIGGYBACKED]          = "acks_piggybacked",
	[STT_STAT_NACKS_OUT]                 = "nacks_out",
	[STT_STAT_NACKS_IN]                  = "nacks_in",
	[STT_STAT_PACKETS_LOST]              = "packets_lost",
	[STT_STAT_PACKETS_LOST_SPURIOUS]     = "packets_lost_spurious",
	[STT_STAT_RETRANSMITS]               = "retransmits",
	[STT_STAT_CTL_RETRANSMITS]           = "ctl_retransmits",
	[STT_STAT_RTO_FIRED]                 = "rto_fired",
	[STT_STAT_CWND_BLOCKED]              = "cwnd_blocked",
	[STT_STAT_PACED]                     = "paced",
	[STT_STAT_TXQ_THROTTLED]             = "txq_throttled",
	[STT_STAT_SENT_UNTRACKED]            = "sent_untracked",
	[STT_STAT_DROP_ACK_INVALID]          = "drop_ack_invalid",
	[STT_STAT_DROP_TOO_MANY_FRAMES]      = "drop_too_many_frames",
	[STT_STAT_MEM_PRESSURE]              = "mem_pressure",
	[STT_STAT_SNDBUF_MEM_BLOCKED]        = "sndbuf_mem_blocked",
	[STT_STAT_SESSION_WINDOW_BLOCKED]    = "session_window_blocked",
	[STT_STAT_SESSION_WINDOW_UPDATES_OUT] = "session_window_updates_out",
	[STT_STAT_DROP_SESSION_FLOW]         = "drop_session_flow",
	[STT_STAT_COOKIES_SENT]              = "cookies_sent",
	[STT_STAT_COOKIES_RECEIVED]          = "cookies_received",
	[STT_STAT_COOKIES_VERIFIED]          = "cookies_verified",
	[STT_STAT_DROP_COOKIE_INVALID]       = "drop_cookie_invalid",
	[STT_STAT_DROP_HELLO_RATELIMITED]    = "drop_hello_ratelimited",
	[STT_STAT_HALF_OPEN_EVICTED]         = "half_open_evicted",
	[STT_STAT_DROP_CHALLENGE_PROOF]      = "drop_challenge_proof",
	[STT_STAT_DROP_HANDSHAKE_NONCE]      = "drop_handshake_nonce",
	[STT_STAT_DROP_RCVBUF]               = "drop_rcvbuf",
	[STT_STAT_DROP_MEM_LIMIT]            = "drop_mem_limit",
	[STT_STAT_DATA_COLLAPSED]            = "data_collapsed",
	[STT_STAT_OOO_TRIMMED]               = "ooo_trimmed",
	[STT_STAT_DROP_OFFSET_INVALID]       = "drop_offset_invalid",
	[STT_STAT_DROP_FINAL_SIZE]           = "drop_final_size",
};

static int stt_stats_show(struct seq_file *seq, void *v)
{
	struct stt_net *sn = stt_net(seq_file_single_net(seq));
	int i, cpu;

	for (i = 0; i < STT_STAT_MAX; i++) {
		u64 sum = 0;

		for_each_possible_cpu(cpu)
			sum += per_cpu_ptr(sn->stats, cpu)->v[i];
		if (stt_stat_names[i])
			seq_printf(seq, "%s %llu\n", stt_stat_names[i], sum);
	}
	return 0;
}

static int __net_init stt_net_init(struct net *net)
{
	struct stt_net *sn = stt_net(net);
	int err;

	sn->net = net;
	mutex_init(&sn->lock);
	INIT_LIST_HEAD(&sn->endpoints);
	sn->stats = alloc_percpu(struct stt_stats);
	if (!sn->stats)
		return -ENOMEM;

	err = stt_sysctl_register(net, sn);
	if (err)
		goto err_stats;

	err = -ENOMEM;
	sn->proc_dir = proc_net_mkdir(net, "stt", net->proc_net);
	if (!sn->proc_dir)
		goto err_sysctl;
	if (!proc_create_net_single("stats", 0444, sn->proc_dir,
				    stt_stats_show, NULL) ||
	    !proc_create_net_single("memory", 0444, sn->proc_dir,
				    stt_mem_show, NULL))
		goto err_proc;

	err = stt_session_net_init(sn);
	if (err)
		goto err_proc;
	return 0;

err_proc:
	remove_proc_subtree("stt", net->proc_net);
err_sysctl:
	stt_sysctl_unregister(sn);
err_stats:
	free_percpu(sn->stats);
	return err;
}

/*
 * Sessions go first (they hold endpoints and timers), then the endpoints,
 * whose UDP sockets stop delivering packets once released.  Every socket
 * that queued data held a session until it was freed with its queues, so
 * nothing may be charged to the namespace any more.
 */
static void __net_exit stt_net_exit(struct net *net)
{
	struct stt_net *sn = stt_net(net);

	stt_session_net_exit(sn);
	stt_endpoint_net_exit(sn);
	/*
	 * The last endpoint's receive hook may still run on another CPU,
	 * inside an RCU read-side section: wait for it before freeing what
	 * it uses (the cookie state, the counters).
	 */
	synchronize_rcu();
	stt_cookie_net_exit(sn);
	WARN_ON_ONCE(atomic_long_read(&sn->mem));
	remove_proc_subtree("stt", net->proc_net);
	stt_sysctl_unregister(sn);
	free_percpu(sn->stats);
}

static struct pernet_operations stt_net_ops = {
	.init	= stt_net_init,
	.exit	= stt_net_exit,
	.id	= &stt_net_id,
	.size	= sizeof(struct stt_net),
};

/**
 * stt_net_register() - set up STT in every namespace, now and to come
 *
 * Return: 0 or a negative errno.
 */
int stt_net_register(void)
{
	return register_pernet_subsys(&stt_net_ops);
}

/**
 * stt_net_unregister() - tear STT down in every namespace
 */
void stt_net_unregister(void)
{
	unregister_pernet_subsys(&stt_net_ops);
}
