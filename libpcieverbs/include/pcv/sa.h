/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The local subnet administrator: answers the SA queries of one blade.
 *
 * A chassis has no subnet manager.  Addresses follow from blade numbers
 * (LID = blade + 1, port GID = fe80::0250:4356:0000:00<blade>), every path
 * is one hop at the port's MTU and rate, and multicast is flooded to every
 * blade and filtered by the receivers' attachments, so a group needs no
 * fabric-wide state: its MLID is a hash of its MGID, the same on every
 * blade.  Each blade's kernel answers its own SA clients with this code
 * (the port's SM LID is its own LID).
 *
 * Input is a MAD as received (hostile); output a complete response MAD.
 * Fields are big-endian on the wire and read/written byte by byte.
 */
#ifndef PCV_SA_H
#define PCV_SA_H

#include "osdep.h"

#define PCV_SA_MAD_SIZE			256
#define PCV_SA_DEFAULT_QKEY		0x0b1b	/* IPoIB's well-known Q_Key */
#define PCV_SA_MLID_MIN			0xc000
#define PCV_SA_MLID_MAX			0xfffe
#define PCV_SA_QKEYS			64	/* groups remembered with their own Q_Key */

/* pcv_sa_process() results */
enum {
	PCV_SA_DROP = -1,		/* malformed: no answer */
	PCV_SA_NOT_MINE = 0,		/* not an SA request: someone else's */
	PCV_SA_REPLY = 1,		/* out holds the response */
};

struct pcv_sa_qkey {
	u8 mgid[16];
	u32 qkey;			/* 0: free */
};

struct pcv_sa {
	u32 blade;
	u32 nr_blades;
	bool (*blade_up)(void *ctx, u32 blade);
	void *ctx;
	struct pcv_sa_qkey qkeys[PCV_SA_QKEYS];
	u32 qkey_next;			/* replacement cursor when full */
	u64 answered;
	u64 dropped;
};

void pcv_sa_init(struct pcv_sa *sa, u32 blade, u32 nr_blades,
		 bool (*blade_up)(void *ctx, u32 blade), void *ctx);
int pcv_sa_process(struct pcv_sa *sa, const u8 *in, size_t in_len, u8 *out);
u16 pcv_sa_mlid(const u8 *mgid);
int pcv_sa_gid_blade(const struct pcv_sa *sa, const u8 *gid);

#endif /* PCV_SA_H */
