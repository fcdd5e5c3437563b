/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Per-peer link state machine, as pure logic: the caller takes a snapshot of
 * what the peer shows (chassis presence, the peer's scratchpads, the link
 * block the peer wrote into our memory), calls pcv_link_step() on a timer
 * tick or a doorbell, and acts on the returned events and on
 * pcv_link_may_write().  No I/O happens here, so every transition is unit
 * tested in user space.
 *
 *   DOWN ------ peer present, scratchpads READY, versions match ------> HANDSHAKE
 *   HANDSHAKE -- peer's block has its current epoch and acks ours ----> UP
 *   UP -------- heartbeat silent > timeout ---------------------------> HANDSHAKE
 *   (UP, silent > silent_ms but < timeout: still UP, reported SILENT; a beat
 *   before the timeout reports RESUMED and nothing was lost)
 *   UP/HANDSHAKE -- peer epoch or chassis generation changes ---------> HANDSHAKE (new epoch)
 *   any ------- peer absent / scratchpads not ready --------------------> DOWN
 *   any ------- incompatible version, bad region ----------------------> FAILED
 *   FAILED ---- until the peer's epoch or generation changes (it reloaded)
 *
 * We write into a peer's memory only in HANDSHAKE and UP, i.e. only while the
 * peer's current scratchpads say where, so a peer that rebooted is never
 * written at its old addresses.
 */
#ifndef PCV_LINK_H
#define PCV_LINK_H

#include "osdep.h"
#include "wire.h"

enum pcv_link_state {
	PCV_LINK_DOWN = 0,
	PCV_LINK_HANDSHAKE,
	PCV_LINK_UP,
	PCV_LINK_FAILED,
};

enum pcv_link_reason {
	PCV_LINK_R_NONE = 0,
	PCV_LINK_R_ABSENT,		/* chassis says the blade is not powered */
	PCV_LINK_R_NOT_READY,		/* its driver is not loaded / not published */
	PCV_LINK_R_VERSION,		/* it speaks an incompatible protocol major */
	PCV_LINK_R_BAD_REGION,		/* its published region is outside its RAM */
	PCV_LINK_R_HB_TIMEOUT,		/* heartbeat silent for longer than the timeout */
	PCV_LINK_R_PEER_RESET,		/* new epoch or chassis generation: it reloaded */
	PCV_LINK_R_MAX,
};

/* Events returned by pcv_link_step() (a bit mask). */
#define PCV_LINK_EV_UP			BIT(0)	/* became UP */
#define PCV_LINK_EV_DOWN		BIT(1)	/* left UP */
#define PCV_LINK_EV_FAILED		BIT(2)	/* entered FAILED */
#define PCV_LINK_EV_NEW_EPOCH		BIT(3)	/* peer epoch changed: rewrite our block */
#define PCV_LINK_EV_SILENT		BIT(4)	/* UP, but silent for longer than silent_ms */
#define PCV_LINK_EV_RESUMED		BIT(5)	/* a silent peer beats again, still UP */

struct pcv_link_cfg {
	u32 my_blade;
	u32 my_epoch;
	u32 my_version;			/* PCV_WIRE_VERSION normally */
	u64 peer_ram_size;		/* bytes of the peer's RAM we can address */
	u32 hb_timeout_ms;		/* silent this long: declared dead, link DOWN */
	u32 silent_ms;			/* silent this long: reported, still UP (0: never) */
};

/* What the peer shows us, sampled by the caller.  All of it is untrusted. */
struct pcv_link_view {
	bool present;			/* chassis presence */
	u32 generation;			/* chassis power-on count */
	/* its scratchpads (consistent snapshot) */
	u32 spad_magic;
	u32 spad_version;
	u32 spad_epoch;
	u32 spad_state;
	u64 region_base;
	u32 region_size;
	u32 slot_off;
	u32 slot_size;
	/* the link block it wrote into our memory */
	u32 in_magic;
	u32 in_version;
	u32 in_epoch;
	u32 in_ack;
	u32 in_heartbeat;
};

struct pcv_link {
	enum pcv_link_state state;
	enum pcv_link_reason reason;	/* why we are not UP (last cause) */
	u32 peer_epoch;			/* epoch we are handshaking/up with */
	u32 peer_generation;
	u32 peer_version;		/* its version while HANDSHAKE/UP/FAILED */
	u64 out_addr;			/* our slot in its RAM (physical), valid if may_write */
	u32 last_hb;			/* last heartbeat value seen */
	u64 last_hb_ms;			/* when it last changed */
	bool hb_stale;			/* timed out: need a fresh beat before UP */
	bool silent;			/* UP, no beat for longer than silent_ms */
	u32 failed_epoch;		/* FAILED sticks while these match */
	u32 failed_generation;
	u64 up_events;
	u64 down_events;
	u64 fail_events;
	u64 silent_events;		/* silences that ended in RESUMED or DOWN */
};

void pcv_link_init(struct pcv_link *l);
unsigned int pcv_link_step(struct pcv_link *l, const struct pcv_link_cfg *cfg,
			   const struct pcv_link_view *v, u64 now_ms);

static inline bool pcv_link_may_write(const struct pcv_link *l)
{
	return l->state == PCV_LINK_HANDSHAKE || l->state == PCV_LINK_UP;
}

const char *pcv_link_state_name(enum pcv_link_state s);
const char *pcv_link_reason_name(enum pcv_link_reason r);

/* Fill the block we publish to the peer (heartbeat supplied by the caller). */
void pcv_link_fill_block(const struct pcv_link *l, const struct pcv_link_cfg *cfg,
			 u32 heartbeat, struct pcv_wire_link *out);

#endif /* PCV_LINK_H */
