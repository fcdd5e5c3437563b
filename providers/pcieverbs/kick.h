/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * When an empty poll of a CQ enters the kernel (the "kick", cq.c).
 *
 * A kick runs the kernel's engine for the CQ's QPs on the kernel path: a
 * user QP whose CQ is not armed gets no doorbell from its peer, so its
 * messages and acks are processed when the process polls.  In a process
 * with QPs on the fast path that is a system call on every turn of its
 * polling loop, for QPs that are mostly quiet (UCX keeps a second RC QP
 * per peer from wire-up, and polls its UD CQs in the same loop), and it
 * doubled MPI's 8-byte latency.  So there, empty kicks back off in time:
 * each kick that finds the kernel had nothing doubles the wait before the
 * next one (PCV_KICK_MIN_NS up to PCV_KICK_MAX_NS); a CQE the kernel wrote
 * into the ring, by a kick or by its own data work, means it has work on
 * this CQ, and so does a doorbell (post_send of a QP on the kernel path:
 * its acks and the peer's answer come next): the next empty poll of the
 * QP's CQs kicks again at once.  A kernel-path QP in such a process is
 * served within PCV_KICK_MAX_NS of polling, never forgotten; a process
 * without fast QPs kicks on every empty poll (the kernel then spins a
 * little for it, pcv_cq_busy_poll).
 *
 * Plain C with no provider types, so a unit test can drive it with its
 * own clock (tests/pcv_kick_test.c).
 */
#ifndef PCV_KICK_H
#define PCV_KICK_H

#include <stdbool.h>
#include <stdint.h>

#define PCV_KICK_MIN_NS		1000u
#define PCV_KICK_MAX_NS		128000u

struct pcv_kick {
	uint64_t at;			/* no empty kick before this (ns) */
	uint32_t wait;			/* ns the next empty kick adds; 0: none */
	uint32_t prod;			/* the ring's prod as of the last kick */
};

/* The kernel has work for the CQ: the next empty poll kicks at once. */
static inline void pcv_kick_reset(struct pcv_kick *k)
{
	k->wait = 0;
	k->at = 0;
}

/* Kernel CQEs since the last kick (a moved prod): it has work here. */
static inline void pcv_kick_seen(struct pcv_kick *k, uint32_t prod)
{
	if (prod != k->prod) {
		k->prod = prod;
		pcv_kick_reset(k);
	}
}

/* May an empty poll enter the kernel now?  backoff: the process has fast QPs. */
static inline bool pcv_kick_due(struct pcv_kick *k, bool backoff, uint32_t prod,
				uint64_t now)
{
	pcv_kick_seen(k, prod);
	return !backoff || now >= k->at;
}

/* After a kick: prod is the ring's prod once the kernel returned. */
static inline void pcv_kick_done(struct pcv_kick *k, uint32_t prod, uint64_t now)
{
	if (prod != k->prod) {	/* the kick found work: none of the wait */
		k->prod = prod;
		pcv_kick_reset(k);
		return;
	}
	k->wait = !k->wait ? PCV_KICK_MIN_NS :
		  k->wait >= PCV_KICK_MAX_NS / 2 ? PCV_KICK_MAX_NS : 2 * k->wait;
	k->at = now + k->wait;
}

#endif /* PCV_KICK_H */
