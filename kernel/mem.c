// SPDX-License-Identifier: GPL-2.0
/*
 * Memory accounting per network namespace, in the manner of tcp_mem.  Owns
 * the namespace's count of the memory queued on its STT sockets: every
 * chunk of stream data on the send side (write queue, the chunk short writes
 * coalesce into, retransmission queue) and every chunk received (receive
 * queue, data held ahead of a gap) is charged, by its skb's truesize, to its
 * socket as usual and to the namespace here, and uncharged by the skb's
 * destructor.  Above half of net.stt.mem_max_kbytes the namespace is under
 * pressure: the budgets that windows and send buffers grant shrink (see
 * window.c), so that senders wait instead of allocations failing.  Also
 * /proc/net/stt/memory.
 */
#include <linux/seq_file.h>
#include <net/net_namespace.h>

#include "stt.h"
#include "window.h"

/**
 * stt_mem_used() - bytes charged to a namespace
 * @sn: the namespace
 *
 * Return: the bytes its STT sockets hold queued.
 */
u64 stt_mem_used(struct stt_net *sn)
{
	long used = atomic_long_read(&sn->mem);

	return used > 0 ? used : 0;
}

/**
 * stt_mem_max() - a namespace's memory limit
 * @sn: the namespace
 *
 * Return: net.stt.mem_max_kbytes, in bytes.
 */
u64 stt_mem_max(struct stt_net *sn)
{
	return (u64)READ_ONCE(sn->sysctl.mem_max_kbytes) << 10;
}

/**
 * stt_mem_pressure() - whether a namespace is under memory pressure
 * @sn: the namespace
 *
 * Return: true from half of its limit on.
 */
bool stt_mem_pressure(struct stt_net *sn)
{
	return stt_mem_used(sn) > stt_mem_max(sn) / 2;
}

/**
 * stt_mem_scale() - what is left of a budget under memory pressure
 * @sn: the namespace
 * @budget: a receive window or send buffer, bytes
 *
 * Return: @budget below half the limit, shrinking linearly to 0 at the
 * limit.
 */
u64 stt_mem_scale(struct stt_net *sn, u64 budget)
{
	return stt_window_scale(budget, stt_mem_used(sn), stt_mem_max(sn));
}

/**
 * stt_mem_room() - whether a namespace's limit leaves room for more
 * @sn: the namespace
 * @bytes: what would be charged
 *
 * Return: true if @bytes more stay within net.stt.mem_max_kbytes.
 */
bool stt_mem_room(struct stt_net *sn, u64 bytes)
{
	return stt_mem_used(sn) + bytes <= stt_mem_max(sn);
}

static void stt_mem_charge(struct stt_net *sn, unsigned int bytes)
{
	long half = stt_mem_max(sn) / 2;
	long used = atomic_long_add_return(bytes, &sn->mem);

	if (used > half && used - (long)bytes <= half)
		STT_INC(sn, MEM_PRESSURE);
}

/*
 * Uncharged before the socket's own accounting lets go of the skb: once
 * sock_wfree() returns, the socket, and with it the namespace, may be gone.
 */
static void stt_mem_wfree(struct sk_buff *skb)
{
	atomic_long_sub(skb->truesize, &stt_net(sock_net(skb->sk))->mem);
	sock_wfree(skb);
}

static void stt_mem_rfree(struct sk_buff *skb)
{
	atomic_long_sub(skb->truesize, &stt_net(sock_net(skb->sk))->mem);
	sock_rfree(skb);
}

/**
 * stt_mem_charge_w() - charge a chunk to be sent to its socket and namespace
 * @skb: the chunk; its truesize must not change until it is freed
 * @sk: the STT socket that sends it
 *
 * Like skb_set_owner_w(): it counts against the socket's send buffer, and
 * freeing it makes room there (sk_write_space()).
 */
void stt_mem_charge_w(struct sk_buff *skb, struct sock *sk)
{
	skb_set_owner_w(skb, sk);
	skb->destructor = stt_mem_wfree;
	stt_mem_charge(stt_net(sock_net(sk)), skb->truesize);
}

/**
 * stt_mem_charge_r() - charge a chunk received to its socket and namespace
 * @skb: the chunk; its truesize must not change until it is freed
 * @sk: the STT socket it is queued on
 *
 * Like skb_set_owner_r().
 */
void stt_mem_charge_r(struct sk_buff *skb, struct sock *sk)
{
	skb_set_owner_r(skb, sk);
	skb->destructor = stt_mem_rfree;
	stt_mem_charge(stt_net(sock_net(sk)), skb->truesize);
}

/**
 * stt_mem_show() - /proc/net/stt/memory
 * @seq: the file
 * @v: unused
 *
 * Prints the bytes charged to the reading process's namespace, its limit,
 * and whether it is under pressure.
 *
 * Return: 0.
 */
int stt_mem_show(struct seq_file *seq, void *v)
{
	struct stt_net *sn = stt_net(seq_file_single_net(seq));

	seq_printf(seq, "allocated_bytes %llu\n", stt_mem_used(sn));
	seq_printf(seq, "max_bytes %llu\n", stt_mem_max(sn));
	seq_printf(seq, "pressure %d\n", stt_mem_pressure(sn));
	return 0;
}
