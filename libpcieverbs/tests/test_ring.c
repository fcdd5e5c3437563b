// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Unit tests of the cross-link SPSC ring: single-threaded protocol cases and
 * a two-thread stress run where the "link" is plain shared memory.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include "pcv/ring.h"
#include "tap.h"

struct fabric {
	unsigned char *ring;	/* consumer's RAM */
	__le32 credit;		/* producer's RAM */
	struct pcv_ring_tx tx;
	struct pcv_ring_rx rx;
};

static void fabric_init(struct fabric *f, u32 order, u32 eshift)
{
	size_t bytes = (size_t)1 << (order + eshift);

	f->ring = calloc(1, bytes);
	f->credit = 0;
	if (pcv_ring_tx_init(&f->tx, f->ring, &f->credit, order, eshift) ||
	    pcv_ring_rx_init(&f->rx, f->ring, &f->credit, order, eshift))
		abort();
}

static void fabric_fini(struct fabric *f)
{
	free(f->ring);
}

static void test_init_rejects_bad_geometry(void)
{
	struct pcv_ring_tx tx;
	struct pcv_ring_rx rx;
	unsigned char buf[64];
	__le32 c = 0;

	CHECK_EQ(pcv_ring_tx_init(&tx, buf, &c, PCV_RING_MAX_ORDER + 1, 6), -EINVAL);
	CHECK_EQ(pcv_ring_tx_init(&tx, buf, &c, 2, PCV_RING_MIN_ESHIFT - 1), -EINVAL);
	CHECK_EQ(pcv_ring_tx_init(&tx, buf, &c, 2, PCV_RING_MAX_ESHIFT + 1), -EINVAL);
	CHECK_EQ(pcv_ring_tx_init(&tx, NULL, &c, 2, 6), -EINVAL);
	CHECK_EQ(pcv_ring_rx_init(&rx, buf, NULL, 2, 6), -EINVAL);
	CHECK_EQ(pcv_ring_rx_init(&rx, buf, &c, 0, 6), 0);
}

static void test_empty_fresh_memory(void)
{
	struct fabric f;

	fabric_init(&f, 3, 6);
	/* Zeroed memory never looks like an entry. */
	CHECK(pcv_ring_rx_peek(&f.rx) == NULL);
	CHECK_EQ(pcv_ring_tx_space(&f.tx), 8);
	fabric_fini(&f);
}

static void test_post_peek_consume_in_order(void)
{
	struct fabric f;
	u32 i, v;

	fabric_init(&f, 3, 5);
	for (i = 0; i < 5; i++)
		CHECK_EQ(pcv_ring_tx_post(&f.tx, &i, sizeof(i)), 0);
	for (i = 0; i < 5; i++) {
		const void *p = pcv_ring_rx_peek(&f.rx);

		CHECK(p != NULL);
		if (!p)
			break;
		memcpy(&v, p, sizeof(v));
		CHECK_EQ(v, i);
		pcv_ring_rx_consume(&f.rx);
	}
	CHECK(pcv_ring_rx_peek(&f.rx) == NULL);
	fabric_fini(&f);
}

static void test_full_ring_and_credit(void)
{
	struct fabric f;
	u32 i;

	fabric_init(&f, 2, 4);	/* 4 entries */
	for (i = 0; i < 4; i++)
		CHECK_EQ(pcv_ring_tx_post(&f.tx, &i, 4), 0);
	CHECK_EQ(pcv_ring_tx_post(&f.tx, &i, 4), -ENOSPC);
	CHECK_EQ(pcv_ring_tx_space(&f.tx), 0);
	/* Consuming one publishes credit (quarter of 4 = every entry). */
	CHECK(pcv_ring_rx_peek(&f.rx) != NULL);
	pcv_ring_rx_consume(&f.rx);
	CHECK_EQ(pcv_le32_to_cpu(f.credit), 1);
	CHECK_EQ(pcv_ring_tx_space(&f.tx), 1);
	CHECK_EQ(pcv_ring_tx_post(&f.tx, &i, 4), 0);
	CHECK_EQ(pcv_ring_tx_post(&f.tx, &i, 4), -ENOSPC);
	fabric_fini(&f);
}

static void test_credit_batched(void)
{
	struct fabric f;
	u32 i;

	fabric_init(&f, 4, 4);	/* 16 entries: credit every 4 */
	for (i = 0; i < 16; i++)
		CHECK_EQ(pcv_ring_tx_post(&f.tx, &i, 4), 0);
	for (i = 0; i < 3; i++) {
		CHECK(pcv_ring_rx_peek(&f.rx) != NULL);
		pcv_ring_rx_consume(&f.rx);
	}
	CHECK_EQ(pcv_le32_to_cpu(f.credit), 0);
	pcv_ring_rx_peek(&f.rx);
	pcv_ring_rx_consume(&f.rx);
	CHECK_EQ(pcv_le32_to_cpu(f.credit), 4);
	pcv_ring_rx_peek(&f.rx);
	pcv_ring_rx_consume(&f.rx);
	pcv_ring_rx_publish(&f.rx);
	CHECK_EQ(pcv_le32_to_cpu(f.credit), 5);
	fabric_fini(&f);
}

static void test_wraparound_stale_lap_not_reread(void)
{
	struct fabric f;
	u32 i, v;

	fabric_init(&f, 2, 4);
	for (i = 0; i < 1000; i++) {
		const void *p;

		CHECK_EQ(pcv_ring_tx_post(&f.tx, &i, 4), 0);
		p = pcv_ring_rx_peek(&f.rx);
		CHECK(p != NULL);
		if (!p)
			return;
		memcpy(&v, p, 4);
		CHECK_EQ(v, i);
		pcv_ring_rx_consume(&f.rx);
		/* The slot now holds last lap's stamp: must read as empty. */
		CHECK(pcv_ring_rx_peek(&f.rx) == NULL);
	}
	fabric_fini(&f);
}

static void test_index_wrap_at_2_32(void)
{
	struct fabric f;
	u32 i, v;

	fabric_init(&f, 3, 4);
	/* Start both sides just below the u32 wrap. */
	f.tx.prod = f.tx.cons = 0xfffffffcU;
	f.rx.cons = f.rx.published = 0xfffffffcU;
	f.credit = pcv_cpu_to_le32(0xfffffffcU);
	for (i = 0; i < 40; i++) {
		const void *p;

		CHECK_EQ(pcv_ring_tx_post(&f.tx, &i, 4), 0);
		p = pcv_ring_rx_peek(&f.rx);
		CHECK(p != NULL);
		if (!p)
			return;
		memcpy(&v, p, 4);
		CHECK_EQ(v, i);
		pcv_ring_rx_consume(&f.rx);
	}
	CHECK(f.tx.prod < 100);
	fabric_fini(&f);
}

static void test_payload_limits(void)
{
	struct fabric f;
	unsigned char big[64] = { 0 };

	fabric_init(&f, 2, 5);	/* 32-byte entries, 28 payload */
	CHECK_EQ(pcv_ring_payload_max(5), 28);
	CHECK_EQ(pcv_ring_tx_post(&f.tx, big, 29), -EINVAL);
	CHECK_EQ(pcv_ring_tx_post(&f.tx, big, 28), 0);
	CHECK_EQ(pcv_ring_tx_post(&f.tx, big, 0), 0);
	fabric_fini(&f);
}

static void test_hostile_credit_breaks_ring(void)
{
	struct fabric f;
	u32 i = 0;

	fabric_init(&f, 3, 4);
	CHECK_EQ(pcv_ring_tx_post(&f.tx, &i, 4), 0);
	CHECK_EQ(pcv_ring_tx_post(&f.tx, &i, 4), 0);
	/* The consumer claims to have consumed more than was produced. */
	f.credit = pcv_cpu_to_le32(5);
	CHECK_EQ(pcv_ring_tx_space(&f.tx), -EIO);
	CHECK_EQ(pcv_ring_tx_post(&f.tx, &i, 4), -EIO);
	CHECK(f.tx.broken);
	/* It stays broken even if the word is repaired. */
	f.credit = pcv_cpu_to_le32(1);
	CHECK_EQ(pcv_ring_tx_post(&f.tx, &i, 4), -EIO);

	/* Credit going backwards is just as impossible. */
	fabric_fini(&f);
	fabric_init(&f, 3, 4);
	for (i = 0; i < 4; i++)
		pcv_ring_tx_post(&f.tx, &i, 4);
	f.credit = pcv_cpu_to_le32(3);
	CHECK_EQ(pcv_ring_tx_space(&f.tx), 8 - 1);
	f.credit = pcv_cpu_to_le32(2);
	CHECK_EQ(pcv_ring_tx_space(&f.tx), -EIO);
	fabric_fini(&f);
}

static void test_hostile_entry_garbage(void)
{
	struct fabric f;

	fabric_init(&f, 3, 4);
	/* A peer scribbles the wrong lap's stamp and random bytes. */
	memset(f.ring, 0xa5, 8 << 4);
	CHECK(pcv_ring_rx_peek(&f.rx) == NULL);
	/* The right stamp (forged) is accepted: payload validation is the caller's. */
	*(__le32 *)f.ring = pcv_cpu_to_le32(pcv_ring_stamp(0, 3));
	CHECK(pcv_ring_rx_peek(&f.rx) == f.ring + 4);
	fabric_fini(&f);
}

/* Two threads: producer posts N sequence numbers, consumer checks them. */
#define STRESS_N	2000000U

static void *stress_producer(void *arg)
{
	struct fabric *f = arg;
	u32 i = 0;
	u32 payload[3];

	while (i < STRESS_N) {
		payload[0] = i;
		payload[1] = ~i;
		payload[2] = i * 2654435761U;
		if (pcv_ring_tx_post(&f->tx, payload, sizeof(payload)) == 0)
			i++;
	}
	return NULL;
}

static void test_two_thread_stress(void)
{
	struct fabric f;
	pthread_t th;
	u32 expect = 0;
	u32 got[3];
	time_t deadline = time(NULL) + 60;

	fabric_init(&f, 6, 4);
	if (pthread_create(&th, NULL, stress_producer, &f)) {
		CHECK(0);
		return;
	}
	while (expect < STRESS_N && time(NULL) < deadline) {
		const void *p = pcv_ring_rx_peek(&f.rx);

		if (!p)
			continue;
		memcpy(got, p, sizeof(got));
		if (got[0] != expect || got[1] != ~expect || got[2] != expect * 2654435761U) {
			printf("#   entry %u corrupt: %u %u %u\n", expect, got[0], got[1], got[2]);
			tap_cur_failed = 1;
			break;
		}
		pcv_ring_rx_consume(&f.rx);
		expect++;
	}
	CHECK_EQ(expect, STRESS_N);
	if (expect == STRESS_N)
		pthread_join(th, NULL);
	else
		pthread_cancel(th);
	fabric_fini(&f);
}

int main(void)
{
	RUN(test_init_rejects_bad_geometry);
	RUN(test_empty_fresh_memory);
	RUN(test_post_peek_consume_in_order);
	RUN(test_full_ring_and_credit);
	RUN(test_credit_batched);
	RUN(test_wraparound_stale_lap_not_reread);
	RUN(test_index_wrap_at_2_32);
	RUN(test_payload_limits);
	RUN(test_hostile_credit_breaks_ring);
	RUN(test_hostile_entry_garbage);
	RUN(test_two_thread_stress);
	return tap_done();
}
