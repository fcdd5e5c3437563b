// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Per-peer link state machine (see pcv/link.h for the diagram).
 */
#include "pcv/link.h"

void pcv_link_init(struct pcv_link *l)
{
	memset(l, 0, sizeof(*l));
	l->state = PCV_LINK_DOWN;
	l->reason = PCV_LINK_R_ABSENT;
}

static const char *const state_names[] = {
	[PCV_LINK_DOWN] = "down",
	[PCV_LINK_HANDSHAKE] = "handshake",
	[PCV_LINK_UP] = "up",
	[PCV_LINK_FAILED] = "failed",
};

static const char *const reason_names[] = {
	[PCV_LINK_R_NONE] = "none",
	[PCV_LINK_R_ABSENT] = "absent",
	[PCV_LINK_R_NOT_READY] = "not-ready",
	[PCV_LINK_R_VERSION] = "version-mismatch",
	[PCV_LINK_R_BAD_REGION] = "bad-region",
	[PCV_LINK_R_HB_TIMEOUT] = "heartbeat-timeout",
	[PCV_LINK_R_PEER_RESET] = "peer-reset",
};

const char *pcv_link_state_name(enum pcv_link_state s)
{
	if ((unsigned int)s > PCV_LINK_FAILED)
		return "?";
	return state_names[s];
}

const char *pcv_link_reason_name(enum pcv_link_reason r)
{
	if ((unsigned int)r >= PCV_LINK_R_MAX)
		return "?";
	return reason_names[r];
}

/* Leave UP/HANDSHAKE for DOWN; only UP -> anything is a user-visible "down". */
static unsigned int link_set_down(struct pcv_link *l, enum pcv_link_reason why)
{
	unsigned int ev = 0;

	if (l->state == PCV_LINK_UP) {
		ev |= PCV_LINK_EV_DOWN;
		l->down_events++;
	}
	l->state = PCV_LINK_DOWN;
	l->reason = why;
	l->hb_stale = false;
	l->silent = false;
	return ev;
}

static unsigned int link_set_failed(struct pcv_link *l, const struct pcv_link_view *v,
				    enum pcv_link_reason why)
{
	unsigned int ev = link_set_down(l, why);

	l->state = PCV_LINK_FAILED;
	l->failed_epoch = v->spad_epoch;
	l->failed_generation = v->generation;
	l->peer_version = v->spad_version;
	l->fail_events++;
	return ev | PCV_LINK_EV_FAILED;
}

/*
 * The peer's published region must lie inside its RAM and hold a slot for us
 * big enough for a link block, all 64-byte aligned.  64-bit arithmetic on
 * 32-bit inputs cannot overflow; region_base is checked against RAM first.
 */
static bool link_region_ok(const struct pcv_link_cfg *cfg, const struct pcv_link_view *v)
{
	u64 slot_end;

	if (!v->region_size || v->region_base >= cfg->peer_ram_size ||
	    v->region_size > cfg->peer_ram_size - v->region_base)
		return false;
	if ((v->region_base | v->slot_off | v->slot_size) & (PCV_SLOT_ALIGN - 1))
		return false;
	if (v->slot_size < sizeof(struct pcv_wire_link))
		return false;
	slot_end = (u64)v->slot_off + ((u64)cfg->my_blade + 1) * v->slot_size;
	return slot_end <= v->region_size;
}

static void link_enter_handshake(struct pcv_link *l, const struct pcv_link_cfg *cfg,
				 const struct pcv_link_view *v)
{
	l->state = PCV_LINK_HANDSHAKE;
	l->peer_epoch = v->spad_epoch;
	l->peer_generation = v->generation;
	l->peer_version = v->spad_version;
	l->hb_stale = false;
	l->out_addr = v->region_base + v->slot_off + (u64)cfg->my_blade * v->slot_size;
}

/*
 * After a reset or a timeout the block in our memory may be left over from the
 * peer's previous life (a reboot can even reuse an epoch): come back UP only
 * once its heartbeat moves again.
 */
static void link_need_fresh_beat(struct pcv_link *l, const struct pcv_link_view *v)
{
	l->hb_stale = true;
	l->last_hb = v->in_heartbeat;
}

unsigned int pcv_link_step(struct pcv_link *l, const struct pcv_link_cfg *cfg,
			   const struct pcv_link_view *v, u64 now_ms)
{
	unsigned int ev = 0;
	bool in_ok;

	if (!v->present)
		return link_set_down(l, PCV_LINK_R_ABSENT);
	if (v->spad_magic != PCV_SPAD_MAGIC_VAL || v->spad_state != PCV_SPAD_STATE_READY)
		return link_set_down(l, PCV_LINK_R_NOT_READY);

	if (l->state == PCV_LINK_FAILED) {
		/* Stay failed (and silent) until the peer reloads. */
		if (v->spad_epoch == l->failed_epoch && v->generation == l->failed_generation)
			return 0;
		l->state = PCV_LINK_DOWN;
	}
	if (PCV_WIRE_MAJOR(v->spad_version) != PCV_WIRE_MAJOR(cfg->my_version))
		return link_set_failed(l, v, PCV_LINK_R_VERSION);
	if (!link_region_ok(cfg, v))
		return link_set_failed(l, v, PCV_LINK_R_BAD_REGION);

	if (l->state == PCV_LINK_DOWN) {
		link_enter_handshake(l, cfg, v);
		ev |= PCV_LINK_EV_NEW_EPOCH;
	} else if (v->spad_epoch != l->peer_epoch || v->generation != l->peer_generation) {
		bool same_epoch = v->spad_epoch == l->peer_epoch;

		ev |= link_set_down(l, PCV_LINK_R_PEER_RESET);
		link_enter_handshake(l, cfg, v);
		/* A new epoch already tells old blocks apart; a reused one does not. */
		if (same_epoch)
			link_need_fresh_beat(l, v);
		ev |= PCV_LINK_EV_NEW_EPOCH;
	}

	/* A block for the current epoch that speaks another major: refuse. */
	if (v->in_magic == PCV_LINK_MAGIC && v->in_epoch == l->peer_epoch &&
	    PCV_WIRE_MAJOR(v->in_version) != PCV_WIRE_MAJOR(cfg->my_version)) {
		struct pcv_link_view fv = *v;

		fv.spad_version = v->in_version;
		return ev | link_set_failed(l, &fv, PCV_LINK_R_VERSION);
	}
	in_ok = v->in_magic == PCV_LINK_MAGIC && v->in_epoch == l->peer_epoch &&
		v->in_ack == cfg->my_epoch;

	if (l->state == PCV_LINK_HANDSHAKE) {
		if (!in_ok)
			return ev;
		if (l->hb_stale) {
			/* After a timeout, come back only on a fresh beat. */
			if (v->in_heartbeat == l->last_hb)
				return ev;
			l->hb_stale = false;
		}
		l->state = PCV_LINK_UP;
		l->reason = PCV_LINK_R_NONE;
		l->last_hb = v->in_heartbeat;
		l->last_hb_ms = now_ms;
		l->up_events++;
		return ev | PCV_LINK_EV_UP;
	}

	/* UP */
	if (!in_ok) {
		/* It no longer acknowledges us: it restarted its view of us. */
		ev |= link_set_down(l, PCV_LINK_R_PEER_RESET);
		link_enter_handshake(l, cfg, v);
		link_need_fresh_beat(l, v);
		return ev;
	}
	/*
	 * A blade that is only slow (a loaded host starves its vCPU for
	 * seconds) is not a dead one: past silent_ms it is reported SILENT and
	 * stays UP, its QPs untouched, since its epoch says it kept its memory;
	 * only past hb_timeout_ms is it declared dead.
	 */
	if (v->in_heartbeat != l->last_hb) {
		l->last_hb = v->in_heartbeat;
		l->last_hb_ms = now_ms;
		if (l->silent) {
			l->silent = false;
			ev |= PCV_LINK_EV_RESUMED;
		}
	} else if (now_ms - l->last_hb_ms > cfg->hb_timeout_ms) {
		ev |= link_set_down(l, PCV_LINK_R_HB_TIMEOUT);
		link_enter_handshake(l, cfg, v);
		link_need_fresh_beat(l, v);
	} else if (!l->silent && cfg->silent_ms && now_ms - l->last_hb_ms > cfg->silent_ms) {
		l->silent = true;
		l->silent_events++;
		ev |= PCV_LINK_EV_SILENT;
	}
	return ev;
}

void pcv_link_fill_block(const struct pcv_link *l, const struct pcv_link_cfg *cfg,
			 u32 heartbeat, struct pcv_wire_link *out)
{
	memset(out, 0, sizeof(*out));
	out->magic = pcv_cpu_to_le32(PCV_LINK_MAGIC);
	out->version = pcv_cpu_to_le32(cfg->my_version);
	out->epoch = pcv_cpu_to_le32(cfg->my_epoch);
	out->ack_epoch = pcv_cpu_to_le32(l->peer_epoch);
	out->heartbeat = pcv_cpu_to_le32(heartbeat);
}
