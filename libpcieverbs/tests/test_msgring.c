// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Unit tests of QP message rings: sizes, PAD at the wrap, credits, stale
 * payload never read as a stamp, hostile credits and headers, and a
 * two-thread stress with random message sizes.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include "pcv/msgring.h"
#include "tap.h"

/* Does buf differ from byte c anywhere? */
static int memchr_inv_like(const u8 *buf, u8 c, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++)
		if (buf[i] != c)
			return 1;
	return 0;
}

struct mfab {
	u8 *ring;
	__le32 credit;
	struct pcv_msgring_tx tx;
	struct pcv_msgring_rx rx;
};

static void mfab_init(struct mfab *f, u32 order)
{
	f->ring = calloc(1, (size_t)PCV_MSG_SLOT_SIZE << order);
	f->credit = 0;
	if (pcv_msgring_tx_init(&f->tx, f->ring, &f->credit, order))
		abort();
	pcv_msgring_rx_init(&f->rx, f->ring, order);
}

/* Post a message of len payload bytes filled with byte b; 0 or errno. */
static int post(struct mfab *f, u32 len, u8 b, u32 msn)
{
	u32 n = pcv_msg_slots(len), idx;
	struct pcv_wire_msg h;
	u8 *slot;
	int err;

	if (!n)
		return -EINVAL;
	err = pcv_msgring_tx_reserve(&f->tx, n, &idx);
	if (err)
		return err;
	slot = pcv_msgring_tx_slot(&f->tx, idx);
	memset(&h, 0, sizeof(h));
	h.opcode = PCV_MSG_SEND;
	h.nslots = (u8)n;
	h.msn = pcv_cpu_to_le32(msn);
	h.length = pcv_cpu_to_le32(len);
	memcpy(slot + 4, (u8 *)&h + 4, sizeof(h) - 4);
	memset(slot + PCV_MSG_HDR_SIZE, b, len);
	pcv_msgring_tx_commit(&f->tx, idx, n);
	return 0;
}

/* Take the next non-PAD message; returns its length or -1 if none. */
static int take(struct mfab *f, u8 *b, u32 *msn)
{
	const struct pcv_wire_msg *m;

	while ((m = pcv_msgring_rx_peek(&f->rx))) {
		u32 n = m->nslots, len = pcv_le32_to_cpu(m->length);

		if (pcv_msgring_rx_check(&f->rx, n))
			return -2;
		if (m->opcode == PCV_MSG_PAD) {
			pcv_msgring_rx_consume(&f->rx, n);
			continue;
		}
		if (len > pcv_msg_capacity(n))
			return -2;
		*msn = pcv_le32_to_cpu(m->msn);
		*b = len ? ((const u8 *)m)[PCV_MSG_HDR_SIZE] : 0;
		if (len && memchr_inv_like((const u8 *)m + PCV_MSG_HDR_SIZE, *b, len))
			return -3;
		pcv_msgring_rx_consume(&f->rx, n);
		f->credit = pcv_cpu_to_le32(f->rx.cons);
		return (int)len;
	}
	return -1;
}

static void test_slot_math(void)
{
	CHECK_EQ(pcv_msg_slots(0), 1);
	CHECK_EQ(pcv_msg_slots(192), 1);
	CHECK_EQ(pcv_msg_slots(193), 2);
	CHECK_EQ(pcv_msg_slots(pcv_msg_capacity(PCV_MSG_MAX_SLOTS)), PCV_MSG_MAX_SLOTS);
	CHECK_EQ(pcv_msg_slots(pcv_msg_capacity(PCV_MSG_MAX_SLOTS) + 1), 0);
	CHECK_EQ(pcv_msg_capacity(1), 192);
}

static void test_init_limits(void)
{
	struct pcv_msgring_tx tx;
	u8 buf[64];
	__le32 c = 0;

	CHECK_EQ(pcv_msgring_tx_init(&tx, buf, &c, PCV_MSGRING_MIN_ORDER - 1), -EINVAL);
	CHECK_EQ(pcv_msgring_tx_init(&tx, buf, &c, PCV_MSGRING_MAX_ORDER + 1), -EINVAL);
	CHECK_EQ(pcv_msgring_tx_init(&tx, NULL, &c, 6), -EINVAL);
	CHECK_EQ(pcv_msgring_tx_init(&tx, buf, &c, 6), 0);
}

static void test_roundtrip_sizes(void)
{
	static const u32 lens[] = { 0, 1, 191, 192, 193, 1000, 3000, 4032 };
	struct mfab f;
	unsigned int i;
	u8 b;
	u32 msn;

	mfab_init(&f, 6);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		CHECK_EQ(post(&f, lens[i], (u8)(i + 1), i), 0);
		CHECK_EQ(take(&f, &b, &msn), (int)lens[i]);
		CHECK_EQ(msn, i);
		if (lens[i])
			CHECK_EQ(b, i + 1);
	}
	CHECK_EQ(take(&f, &b, &msn), -1);
	free(f.ring);
}

static void test_pad_at_wrap(void)
{
	struct mfab f;
	u8 b;
	u32 msn;

	mfab_init(&f, 5);	/* 32 slots */
	/* 30 one-slot messages, consumed: prod at 30. */
	for (msn = 0; msn < 30; msn++) {
		CHECK_EQ(post(&f, 10, 1, msn), 0);
		CHECK_EQ(take(&f, &b, &msn), 10);
	}
	/* A 4-slot message cannot fit in the last 2 slots: PAD + message at 0. */
	CHECK_EQ(post(&f, 960, 9, 99), 0);
	CHECK_EQ(f.tx.prod, 36);
	CHECK_EQ(take(&f, &b, &msn), 960);
	CHECK_EQ(b, 9);
	CHECK_EQ(msn, 99);
	CHECK_EQ(f.rx.cons, 36);
	free(f.ring);
}

static void test_full_and_credit(void)
{
	struct mfab f;
	u8 b;
	u32 msn, i;

	mfab_init(&f, 5);
	for (i = 0; i < 8; i++)
		CHECK_EQ(post(&f, 960, 1, i), 0);	/* 8 x 4 slots = 32 */
	CHECK_EQ(post(&f, 1, 1, 8), -ENOSPC);
	CHECK_EQ(take(&f, &b, &msn), 960);	/* frees 4 */
	CHECK_EQ(post(&f, 1, 1, 8), 0);
	CHECK_EQ(pcv_msgring_tx_space(&f.tx), 3);
	/* A message needing a PAD needs room for both. */
	free(f.ring);
	mfab_init(&f, 5);
	for (i = 0; i < 30; i++)
		CHECK_EQ(post(&f, 1, 1, i), 0);
	for (i = 0; i < 3; i++)
		CHECK_EQ(take(&f, &b, &msn), 1);	/* 5 free: 2 at the end + 3 at start */
	CHECK_EQ(post(&f, 960, 1, 30), -ENOSPC);	/* needs 2 + 4 */
	CHECK_EQ(take(&f, &b, &msn), 1);
	CHECK_EQ(post(&f, 960, 1, 30), 0);
	free(f.ring);
}

static void test_stale_payload_not_a_stamp(void)
{
	struct mfab f;
	u8 b;
	u32 msn, i, expect;

	mfab_init(&f, 5);
	/*
	 * Fill 16-slot messages whose payload is crafted to look like the stamp
	 * a later one-slot message at those positions would carry.
	 */
	for (i = 0; i < 2; i++) {
		u32 idx, n = 16;
		u8 *slot;

		CHECK_EQ(pcv_msgring_tx_reserve(&f.tx, n, &idx), 0);
		slot = pcv_msgring_tx_slot(&f.tx, idx);
		for (expect = 1; expect < n; expect++)
			*(__le32 *)(slot + expect * PCV_MSG_SLOT_SIZE) =
				pcv_cpu_to_le32(pcv_ring_stamp(idx + expect + 32, 5));
		slot[5] = PCV_MSG_SEND;
		slot[6] = (u8)n;
		*(__le32 *)(slot + 12) = pcv_cpu_to_le32(100);
		pcv_msgring_tx_commit(&f.tx, idx, n);
		CHECK_EQ(take(&f, &b, &msn), 100);
	}
	/* Next lap: slot 1 holds (zeroed) stale payload, not a message. */
	CHECK_EQ(post(&f, 1, 3, 7), 0);
	CHECK_EQ(take(&f, &b, &msn), 1);
	CHECK(pcv_msgring_rx_peek(&f.rx) == NULL);
	free(f.ring);
}

static void test_hostile_headers_and_credit(void)
{
	struct mfab f;
	u32 idx;

	mfab_init(&f, 5);
	f.rx.cons = 30;
	CHECK_EQ(pcv_msgring_rx_check(&f.rx, 3), -EINVAL);	/* would wrap */
	CHECK_EQ(pcv_msgring_rx_check(&f.rx, 2), 0);
	CHECK_EQ(pcv_msgring_rx_check(&f.rx, 0), -EINVAL);
	f.rx.cons = 0;
	CHECK_EQ(pcv_msgring_rx_check(&f.rx, PCV_MSG_MAX_SLOTS + 1), -EINVAL);
	/* credit ahead of prod */
	f.credit = pcv_cpu_to_le32(5);
	CHECK_EQ(pcv_msgring_tx_reserve(&f.tx, 1, &idx), -EIO);
	CHECK(f.tx.broken);
	free(f.ring);
}

#define STRESS_MSGS 300000U

static void *stress_prod(void *arg)
{
	struct mfab *f = arg;
	u32 i = 0, seed = 1;

	while (i < STRESS_MSGS) {
		u32 len;

		seed = seed * 1103515245 + 12345;
		len = (seed >> 8) % (pcv_msg_capacity(PCV_MSG_MAX_SLOTS) + 1);
		if (post(f, len, (u8)i, i) == 0)
			i++;
	}
	return NULL;
}

static void test_two_thread_stress(void)
{
	struct mfab f;
	pthread_t th;
	u32 next = 0, msn;
	time_t deadline = time(NULL) + 60;
	u8 b;

	mfab_init(&f, 7);
	if (pthread_create(&th, NULL, stress_prod, &f)) {
		CHECK(0);
		return;
	}
	while (next < STRESS_MSGS && time(NULL) < deadline) {
		int r = take(&f, &b, &msn);

		if (r == -1)
			continue;
		if (r < 0 || msn != next || (r > 0 && b != (u8)next)) {
			printf("#   message %u: r=%d msn=%u byte=%u\n", next, r, msn, b);
			tap_cur_failed = 1;
			break;
		}
		next++;
	}
	CHECK_EQ(next, STRESS_MSGS);
	if (next == STRESS_MSGS)
		pthread_join(th, NULL);
	else
		pthread_cancel(th);
	free(f.ring);
}

int main(void)
{
	RUN(test_slot_math);
	RUN(test_init_limits);
	RUN(test_roundtrip_sizes);
	RUN(test_pad_at_wrap);
	RUN(test_full_and_credit);
	RUN(test_stale_payload_not_a_stamp);
	RUN(test_hostile_headers_and_credit);
	RUN(test_two_thread_stress);
	return tap_done();
}
