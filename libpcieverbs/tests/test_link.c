// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Unit tests of the per-peer link state machine.
 */
#include "pcv/link.h"
#include "tap.h"

#define MY_EPOCH	0x1111
#define PEER_EPOCH	0x2222
#define RAM		(512ULL << 20)
#define TIMEOUT		1000

static struct pcv_link_cfg cfg = {
	.my_blade = 1,
	.my_epoch = MY_EPOCH,
	.my_version = PCV_WIRE_VERSION,
	.peer_ram_size = RAM,
	.hb_timeout_ms = TIMEOUT,
};

/* A healthy peer that has published itself but not yet answered us. */
static struct pcv_link_view fresh_view(void)
{
	struct pcv_link_view v = {
		.present = true,
		.generation = 1,
		.spad_magic = PCV_SPAD_MAGIC_VAL,
		.spad_version = PCV_WIRE_VERSION,
		.spad_epoch = PEER_EPOCH,
		.spad_state = PCV_SPAD_STATE_READY,
		.region_base = 0x1000000,
		.region_size = 1 << 20,
		.slot_off = 4096,
		.slot_size = 65536,
	};
	return v;
}

/* The peer's block in our memory, acknowledging us. */
static void answer(struct pcv_link_view *v, u32 hb)
{
	v->in_magic = PCV_LINK_MAGIC;
	v->in_version = v->spad_version;
	v->in_epoch = v->spad_epoch;
	v->in_ack = MY_EPOCH;
	v->in_heartbeat = hb;
}

static void test_absent_is_down(void)
{
	struct pcv_link l;
	struct pcv_link_view v = fresh_view();

	pcv_link_init(&l);
	v.present = false;
	CHECK_EQ(pcv_link_step(&l, &cfg, &v, 0), 0);
	CHECK_EQ(l.state, PCV_LINK_DOWN);
	CHECK_EQ(l.reason, PCV_LINK_R_ABSENT);
	CHECK(!pcv_link_may_write(&l));
}

static void test_not_ready_is_down(void)
{
	struct pcv_link l;
	struct pcv_link_view v = fresh_view();

	pcv_link_init(&l);
	v.spad_state = PCV_SPAD_STATE_DOWN;
	pcv_link_step(&l, &cfg, &v, 0);
	CHECK_EQ(l.state, PCV_LINK_DOWN);
	CHECK_EQ(l.reason, PCV_LINK_R_NOT_READY);
	v = fresh_view();
	v.spad_magic = 0xdeadbeef;
	pcv_link_step(&l, &cfg, &v, 0);
	CHECK_EQ(l.state, PCV_LINK_DOWN);
	CHECK(!pcv_link_may_write(&l));
}

static void test_handshake_then_up(void)
{
	struct pcv_link l;
	struct pcv_link_view v = fresh_view();
	unsigned int ev;

	pcv_link_init(&l);
	ev = pcv_link_step(&l, &cfg, &v, 0);
	CHECK_EQ(ev, PCV_LINK_EV_NEW_EPOCH);
	CHECK_EQ(l.state, PCV_LINK_HANDSHAKE);
	CHECK(pcv_link_may_write(&l));
	/* our slot = base + slot_off + my_blade * slot_size */
	CHECK_EQ(l.out_addr, 0x1000000 + 4096 + 65536);
	CHECK_EQ(l.peer_epoch, PEER_EPOCH);

	/* A block that acks an old epoch of ours does not complete it. */
	answer(&v, 5);
	v.in_ack = MY_EPOCH + 1;
	CHECK_EQ(pcv_link_step(&l, &cfg, &v, 10), 0);
	CHECK_EQ(l.state, PCV_LINK_HANDSHAKE);
	/* Nor one from an older epoch of the peer. */
	answer(&v, 5);
	v.in_epoch = PEER_EPOCH - 1;
	CHECK_EQ(pcv_link_step(&l, &cfg, &v, 10), 0);
	CHECK_EQ(l.state, PCV_LINK_HANDSHAKE);

	answer(&v, 5);
	ev = pcv_link_step(&l, &cfg, &v, 20);
	CHECK_EQ(ev, PCV_LINK_EV_UP);
	CHECK_EQ(l.state, PCV_LINK_UP);
	CHECK_EQ(l.reason, PCV_LINK_R_NONE);
	CHECK_EQ(l.up_events, 1);
}

static void bring_up(struct pcv_link *l, struct pcv_link_view *v, u64 now)
{
	pcv_link_init(l);
	*v = fresh_view();
	pcv_link_step(l, &cfg, v, now);
	answer(v, 1);
	pcv_link_step(l, &cfg, v, now);
}

static void test_heartbeat_keeps_up_and_timeout_downs(void)
{
	struct pcv_link l;
	struct pcv_link_view v;
	u64 t;
	unsigned int ev;

	bring_up(&l, &v, 0);
	CHECK_EQ(l.state, PCV_LINK_UP);
	for (t = 100; t <= 5000; t += 100) {
		v.in_heartbeat++;
		CHECK_EQ(pcv_link_step(&l, &cfg, &v, t), 0);
	}
	CHECK_EQ(l.state, PCV_LINK_UP);
	/* Silence: still up at exactly the timeout, down after it. */
	CHECK_EQ(pcv_link_step(&l, &cfg, &v, 5000 + TIMEOUT), 0);
	CHECK_EQ(l.state, PCV_LINK_UP);
	ev = pcv_link_step(&l, &cfg, &v, 5001 + TIMEOUT);
	CHECK_EQ(ev, PCV_LINK_EV_DOWN);
	CHECK_EQ(l.state, PCV_LINK_HANDSHAKE);
	CHECK_EQ(l.reason, PCV_LINK_R_HB_TIMEOUT);
	CHECK_EQ(l.down_events, 1);
	/* We keep writing (the peer may only be slow), */
	CHECK(pcv_link_may_write(&l));
	/* but a stale block does not bring it back: only a fresh beat does. */
	CHECK_EQ(pcv_link_step(&l, &cfg, &v, 9000), 0);
	CHECK_EQ(l.state, PCV_LINK_HANDSHAKE);
	v.in_heartbeat++;
	CHECK_EQ(pcv_link_step(&l, &cfg, &v, 9100), PCV_LINK_EV_UP);
	CHECK_EQ(l.state, PCV_LINK_UP);
}

/*
 * A slow peer (silent past silent_ms, beating again before the timeout) is
 * reported SILENT then RESUMED and never leaves UP; silent past the timeout
 * it goes DOWN as before, and the silence is not reported twice.
 */
static void test_silent_then_resumed_stays_up(void)
{
	struct pcv_link_cfg c = cfg;
	struct pcv_link l;
	struct pcv_link_view v;

	c.silent_ms = TIMEOUT / 4;
	bring_up(&l, &v, 0);
	v.in_heartbeat++;
	CHECK_EQ(pcv_link_step(&l, &c, &v, 1000), 0);
	CHECK_EQ(pcv_link_step(&l, &c, &v, 1000 + TIMEOUT / 4), 0);
	CHECK_EQ(pcv_link_step(&l, &c, &v, 1001 + TIMEOUT / 4), PCV_LINK_EV_SILENT);
	CHECK(l.silent);
	CHECK_EQ(l.state, PCV_LINK_UP);
	CHECK(pcv_link_may_write(&l));
	CHECK_EQ(pcv_link_step(&l, &c, &v, 1000 + TIMEOUT / 2), 0);	/* once */
	v.in_heartbeat++;
	CHECK_EQ(pcv_link_step(&l, &c, &v, 1000 + TIMEOUT), PCV_LINK_EV_RESUMED);
	CHECK(!l.silent);
	CHECK_EQ(l.state, PCV_LINK_UP);
	CHECK_EQ(l.down_events, 0);
	CHECK_EQ(l.silent_events, 1);
	/* Silent again, this time past the timeout: DOWN, silence cleared. */
	CHECK_EQ(pcv_link_step(&l, &c, &v, 1001 + TIMEOUT + TIMEOUT / 4), PCV_LINK_EV_SILENT);
	CHECK_EQ(pcv_link_step(&l, &c, &v, 1001 + 2 * TIMEOUT), PCV_LINK_EV_DOWN);
	CHECK_EQ(l.reason, PCV_LINK_R_HB_TIMEOUT);
	CHECK(!l.silent);
	CHECK_EQ(l.silent_events, 2);
}

static void test_absent_while_up(void)
{
	struct pcv_link l;
	struct pcv_link_view v;

	bring_up(&l, &v, 0);
	v.present = false;
	CHECK_EQ(pcv_link_step(&l, &cfg, &v, 10), PCV_LINK_EV_DOWN);
	CHECK_EQ(l.state, PCV_LINK_DOWN);
	CHECK_EQ(l.reason, PCV_LINK_R_ABSENT);
	CHECK(!pcv_link_may_write(&l));
	/* A second step while absent reports nothing new. */
	CHECK_EQ(pcv_link_step(&l, &cfg, &v, 20), 0);
}

static void test_peer_reload_new_epoch(void)
{
	struct pcv_link l;
	struct pcv_link_view v;
	unsigned int ev;

	bring_up(&l, &v, 0);
	/* The peer reloaded: new epoch and a region elsewhere. */
	v.spad_epoch = PEER_EPOCH + 7;
	v.region_base = 0x2000000;
	ev = pcv_link_step(&l, &cfg, &v, 10);
	CHECK_EQ(ev, PCV_LINK_EV_DOWN | PCV_LINK_EV_NEW_EPOCH);
	CHECK_EQ(l.state, PCV_LINK_HANDSHAKE);
	CHECK_EQ(l.reason, PCV_LINK_R_PEER_RESET);
	CHECK_EQ(l.out_addr, 0x2000000 + 4096 + 65536);
	/* Its old block (old epoch) must not count. */
	CHECK_EQ(pcv_link_step(&l, &cfg, &v, 20), 0);
	answer(&v, 1);
	CHECK_EQ(pcv_link_step(&l, &cfg, &v, 30), PCV_LINK_EV_UP);
}

static void test_generation_change_resets(void)
{
	struct pcv_link l;
	struct pcv_link_view v;

	bring_up(&l, &v, 0);
	v.generation++;		/* rebooted, same epoch by chance */
	CHECK_EQ(pcv_link_step(&l, &cfg, &v, 10), PCV_LINK_EV_DOWN | PCV_LINK_EV_NEW_EPOCH);
	/* The block in our memory may be its previous life's: wait for a beat. */
	CHECK_EQ(l.state, PCV_LINK_HANDSHAKE);
	CHECK_EQ(pcv_link_step(&l, &cfg, &v, 20), 0);
	v.in_heartbeat++;
	CHECK_EQ(pcv_link_step(&l, &cfg, &v, 30), PCV_LINK_EV_UP);
}

static void test_peer_stops_acking(void)
{
	struct pcv_link l;
	struct pcv_link_view v;

	bring_up(&l, &v, 0);
	v.in_ack = 0;
	CHECK_EQ(pcv_link_step(&l, &cfg, &v, 10), PCV_LINK_EV_DOWN);
	CHECK_EQ(l.state, PCV_LINK_HANDSHAKE);
	CHECK_EQ(l.reason, PCV_LINK_R_PEER_RESET);
	v.in_ack = MY_EPOCH;
	v.in_heartbeat++;
	CHECK_EQ(pcv_link_step(&l, &cfg, &v, 20), PCV_LINK_EV_UP);
}

static void test_version_mismatch_fails_and_sticks(void)
{
	struct pcv_link l;
	struct pcv_link_view v = fresh_view();
	unsigned int ev;

	pcv_link_init(&l);
	v.spad_version = (PCV_WIRE_VERSION_MAJOR + 1) << 16;
	ev = pcv_link_step(&l, &cfg, &v, 0);
	CHECK_EQ(ev, PCV_LINK_EV_FAILED);
	CHECK_EQ(l.state, PCV_LINK_FAILED);
	CHECK_EQ(l.reason, PCV_LINK_R_VERSION);
	CHECK_EQ(l.peer_version, v.spad_version);
	CHECK(!pcv_link_may_write(&l));
	/* No repeated events, no writes, while the peer stays the same. */
	CHECK_EQ(pcv_link_step(&l, &cfg, &v, 100), 0);
	CHECK_EQ(l.fail_events, 1);
	/* Even if it later claims our version with the same epoch. */
	v.spad_version = PCV_WIRE_VERSION;
	CHECK_EQ(pcv_link_step(&l, &cfg, &v, 200), 0);
	CHECK_EQ(l.state, PCV_LINK_FAILED);
	/* It reloads (new epoch) speaking our version: the link is retried. */
	v.spad_epoch++;
	CHECK_EQ(pcv_link_step(&l, &cfg, &v, 300), PCV_LINK_EV_NEW_EPOCH);
	CHECK_EQ(l.state, PCV_LINK_HANDSHAKE);
}

static void test_minor_version_compatible(void)
{
	struct pcv_link l;
	struct pcv_link_view v = fresh_view();

	pcv_link_init(&l);
	v.spad_version = PCV_WIRE_VERSION + 5;
	pcv_link_step(&l, &cfg, &v, 0);
	answer(&v, 1);
	CHECK_EQ(pcv_link_step(&l, &cfg, &v, 1), PCV_LINK_EV_UP);
}

static void test_inbound_block_version_mismatch(void)
{
	struct pcv_link l;
	struct pcv_link_view v;

	bring_up(&l, &v, 0);
	v.in_version = 0x00630000;
	CHECK_EQ(pcv_link_step(&l, &cfg, &v, 10), PCV_LINK_EV_DOWN | PCV_LINK_EV_FAILED);
	CHECK_EQ(l.state, PCV_LINK_FAILED);
	CHECK_EQ(l.reason, PCV_LINK_R_VERSION);
	CHECK_EQ(l.peer_version, 0x00630000);
}

static void expect_bad_region(struct pcv_link_view v, const char *what)
{
	struct pcv_link l;

	pcv_link_init(&l);
	if (pcv_link_step(&l, &cfg, &v, 0) != PCV_LINK_EV_FAILED ||
	    l.reason != PCV_LINK_R_BAD_REGION || pcv_link_may_write(&l)) {
		printf("#   region case accepted: %s\n", what);
		tap_cur_failed = 1;
	}
}

static void test_bad_regions(void)
{
	struct pcv_link_view v;

	v = fresh_view(); v.region_base = RAM; expect_bad_region(v, "base at end of RAM");
	v = fresh_view(); v.region_base = RAM - 4096; v.region_size = 8192;
	expect_bad_region(v, "crosses end of RAM");
	v = fresh_view(); v.region_base = ~0ULL - 63; expect_bad_region(v, "base overflow");
	v = fresh_view(); v.region_size = 0; expect_bad_region(v, "empty");
	v = fresh_view(); v.slot_off = 0xffffffc0; expect_bad_region(v, "slot offset beyond");
	v = fresh_view(); v.slot_size = 0x80000000; expect_bad_region(v, "slot too big");
	v = fresh_view(); v.slot_size = 64; expect_bad_region(v, "slot smaller than link block");
	v = fresh_view(); v.slot_off = 4097; expect_bad_region(v, "misaligned slot");
	v = fresh_view(); v.region_base = 0x1000010; expect_bad_region(v, "misaligned base");
	/* exactly fitting is fine */
	v = fresh_view();
	v.region_size = 4096 + 2 * 65536;
	{
		struct pcv_link l;

		pcv_link_init(&l);
		CHECK_EQ(pcv_link_step(&l, &cfg, &v, 0), PCV_LINK_EV_NEW_EPOCH);
	}
}

/* xorshift, deterministic */
static u64 rnd_state = 0x9e3779b97f4a7c15ULL;
static u64 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static u32 pick(const u32 *vals, unsigned int n)
{
	return vals[rnd() % n];
}

/* Random hostile views: never an out-of-RAM write address, sane states. */
static void test_fuzz_views(void)
{
	static const u32 epochs[] = { 0, 1, PEER_EPOCH, MY_EPOCH, 0xffffffff };
	static const u32 vers[] = { PCV_WIRE_VERSION, PCV_WIRE_VERSION + 1, 0, 0x00020000 };
	struct pcv_link l;
	u64 now = 0;
	int i;

	pcv_link_init(&l);
	for (i = 0; i < 200000; i++) {
		struct pcv_link_view v = fresh_view();
		unsigned int ev;

		v.present = rnd() % 16 != 0;
		v.generation = rnd() % 3;
		v.spad_state = rnd() % 8 ? PCV_SPAD_STATE_READY : (u32)rnd();
		v.spad_epoch = pick(epochs, 5);
		v.spad_version = pick(vers, 4);
		if (rnd() % 4 == 0) {
			v.region_base = rnd() % (RAM * 2);
			v.region_size = (u32)rnd();
			v.slot_off = (u32)rnd() & ~63U;
			v.slot_size = (u32)(rnd() % 4096) & ~63U;
		}
		if (rnd() % 2)
			answer(&v, (u32)rnd() % 4);
		if (rnd() % 3 == 0)
			v.in_ack = pick(epochs, 5);
		now += rnd() % 700;
		ev = pcv_link_step(&l, &cfg, &v, now);
		if (pcv_link_may_write(&l) &&
		    l.out_addr + sizeof(struct pcv_wire_link) > RAM) {
			printf("#   iteration %d: out_addr 0x%llx outside RAM\n", i,
			       (unsigned long long)l.out_addr);
			tap_cur_failed = 1;
			break;
		}
		if ((ev & PCV_LINK_EV_UP) && l.state != PCV_LINK_UP) {
			printf("#   iteration %d: EV_UP but state %d\n", i, l.state);
			tap_cur_failed = 1;
			break;
		}
		if (l.state == PCV_LINK_UP && (!v.present || v.in_ack != MY_EPOCH)) {
			printf("#   iteration %d: UP with an absent or non-acking peer\n", i);
			tap_cur_failed = 1;
			break;
		}
	}
	CHECK(l.up_events >= l.down_events);
	CHECK(l.up_events > 0);
}

static void test_fill_block_little_endian(void)
{
	struct pcv_link l;
	struct pcv_link_view v;
	struct pcv_wire_link b;
	const unsigned char *p = (const unsigned char *)&b;

	bring_up(&l, &v, 0);
	pcv_link_fill_block(&l, &cfg, 0x01020304, &b);
	/* magic "LINK" as bytes, heartbeat LE at offset 16, ack = peer epoch */
	CHECK(p[0] == 'L' && p[1] == 'I' && p[2] == 'N' && p[3] == 'K');
	CHECK(p[16] == 4 && p[17] == 3 && p[18] == 2 && p[19] == 1);
	CHECK_EQ(pcv_le32_to_cpu(b.ack_epoch), PEER_EPOCH);
	CHECK_EQ(pcv_le32_to_cpu(b.epoch), MY_EPOCH);
	CHECK_EQ(pcv_le32_to_cpu(b.version), PCV_WIRE_VERSION);
	CHECK_EQ(b.diag_addr, 0);
}

static void test_names(void)
{
	CHECK(!strcmp(pcv_link_state_name(PCV_LINK_UP), "up"));
	CHECK(!strcmp(pcv_link_state_name((enum pcv_link_state)99), "?"));
	CHECK(!strcmp(pcv_link_reason_name(PCV_LINK_R_HB_TIMEOUT), "heartbeat-timeout"));
	CHECK(!strcmp(pcv_link_reason_name(PCV_LINK_R_MAX), "?"));
}

int main(void)
{
	RUN(test_absent_is_down);
	RUN(test_not_ready_is_down);
	RUN(test_handshake_then_up);
	RUN(test_heartbeat_keeps_up_and_timeout_downs);
	RUN(test_silent_then_resumed_stays_up);
	RUN(test_absent_while_up);
	RUN(test_peer_reload_new_epoch);
	RUN(test_generation_change_resets);
	RUN(test_peer_stops_acking);
	RUN(test_version_mismatch_fails_and_sticks);
	RUN(test_minor_version_compatible);
	RUN(test_inbound_block_version_mismatch);
	RUN(test_bad_regions);
	RUN(test_fuzz_views);
	RUN(test_fill_block_little_endian);
	RUN(test_names);
	return tap_done();
}
