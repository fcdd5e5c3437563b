// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The local subnet administrator (see pcv/sa.h): ClassPortInfo,
 * PathRecord and MCMemberRecord, the queries the kernel's SA clients
 * (rdma_cm, IPoIB) and user tools send.  Anything else gets an IBA
 * "unsupported" status, never silence, so a client does not wait for a
 * timeout.
 *
 * Decisions:
 *  - GetTable answers fit one MAD (no RMPP): at most three path records,
 *    which covers one blade's paths to itself or a peer; wildcard tables of
 *    a larger chassis are truncated to the first three up blades.
 *  - A join without an MGID (SA-assigned groups) is refused as invalid:
 *    rdma_cm and IPoIB always name their groups.
 *  - Q_Keys: a join that gives one (rdma_cm always does) gets it back and
 *    it is remembered for later joins of the group on this blade that give
 *    none; otherwise the group's Q_Key is PCV_SA_DEFAULT_QKEY (IPoIB's
 *    broadcast group is joined without one on every blade, so all agree).
 */
#include "pcv/sa.h"
#include "pcv/mad_be.h"

/* MAD layout (IBA 13.4, 15.2.1). */
#define MAD_BASE_VERSION	0
#define MAD_CLASS		1
#define MAD_CLASS_VERSION	2
#define MAD_METHOD		3
#define MAD_STATUS		4
#define MAD_TID			8
#define MAD_ATTR_ID		16
#define MAD_ATTR_MOD		20
#define SA_ATTR_OFFSET		44
#define SA_COMP_MASK		48
#define SA_DATA			56
#define SA_DATA_SIZE		(PCV_SA_MAD_SIZE - SA_DATA)

#define MGMT_CLASS_SUBN_ADM	0x03
#define SA_CLASS_VERSION	2

#define METHOD_GET		0x01
#define METHOD_SET		0x02
#define METHOD_GET_RESP		0x81
#define METHOD_GET_TABLE	0x12
#define METHOD_GET_TABLE_RESP	0x92
#define METHOD_DELETE		0x15
#define METHOD_DELETE_RESP	0x95
#define METHOD_RESP		0x80

#define ATTR_CLASS_PORTINFO	0x0001
#define ATTR_PATH_REC		0x0035
#define ATTR_MCMEMBER_REC	0x0038

/* MAD status: common bits, and SA class-specific codes in bits 8..14. */
#define ST_UNSUP_METHOD		0x0008
#define ST_UNSUP_METHOD_ATTR	0x000c
#define ST_INVALID_VALUE	0x001c
#define ST_SA_REQ_INVALID	(2 << 8)
#define ST_SA_NO_RECORDS	(3 << 8)

/* PathRecord (64 bytes) */
#define PR_SIZE			64
#define PR_DGID			8
#define PR_SGID			24
#define PR_DLID			40
#define PR_SLID			42
#define PR_FLOW_HOP		44
#define PR_TCLASS		48
#define PR_REV_NUMB		49
#define PR_PKEY			50
#define PR_SL			52
#define PR_MTU			54
#define PR_RATE			55
#define PR_LIFE			56
#define PR_CM_DGID		BIT_ULL(2)
#define PR_CM_SGID		BIT_ULL(3)
#define PR_CM_DLID		BIT_ULL(4)
#define PR_CM_SLID		BIT_ULL(5)
#define PR_CM_NUMB_PATH		BIT_ULL(12)

/* MCMemberRecord (52 bytes) */
#define MC_SIZE			52
#define MC_MGID			0
#define MC_PORT_GID		16
#define MC_QKEY			32
#define MC_MLID			36
#define MC_MTU			38
#define MC_TCLASS		39
#define MC_PKEY			40
#define MC_RATE			42
#define MC_LIFE			43
#define MC_SL_FLOW_HOP		44
#define MC_SCOPE_JOIN		48
#define MC_CM_MGID		BIT_ULL(0)
#define MC_CM_PORT_GID		BIT_ULL(1)
#define MC_CM_QKEY		BIT_ULL(2)
#define MC_CM_JOIN_STATE	BIT_ULL(16)

/* What a chassis port is: 4096-byte MTU (5), 40 Gb/s (7), selector "exactly" (2). */
#define SEL_EXACTLY		2
#define PORT_MTU		5
#define PORT_RATE		7
#define PKT_LIFETIME		18	/* ~1 s: 4.096 us * 2^18 */
#define PKEY_DEFAULT		0xffff
#define GUID_PREFIX		0x0250435600000000ULL
#define LINK_LOCAL		0xfe80000000000000ULL

void pcv_sa_init(struct pcv_sa *sa, u32 blade, u32 nr_blades,
		 bool (*blade_up)(void *ctx, u32 blade), void *ctx)
{
	memset(sa, 0, sizeof(*sa));
	sa->blade = blade;
	sa->nr_blades = nr_blades;
	sa->blade_up = blade_up;
	sa->ctx = ctx;
}

/* FNV-1a over the MGID, folded into the multicast LID range. */
u16 pcv_sa_mlid(const u8 *mgid)
{
	u32 h = 2166136261U;
	int i;

	for (i = 0; i < 16; i++)
		h = (h ^ mgid[i]) * 16777619U;
	return PCV_SA_MLID_MIN + h % (PCV_SA_MLID_MAX - PCV_SA_MLID_MIN + 1);
}

int pcv_sa_gid_blade(const struct pcv_sa *sa, const u8 *gid)
{
	u64 id = pcv_mad_get64(gid + 8);

	if (pcv_mad_get64(gid) != LINK_LOCAL || (id & ~0xffULL) != GUID_PREFIX ||
	    (id & 0xff) >= sa->nr_blades)
		return -1;
	return (int)(id & 0xff);
}

static bool pcv_sa_up(const struct pcv_sa *sa, u32 blade)
{
	return blade == sa->blade || (sa->blade_up && sa->blade_up(sa->ctx, blade));
}

static void pcv_sa_put_gid(u8 *p, u32 blade)
{
	pcv_mad_put64(p, LINK_LOCAL);
	pcv_mad_put64(p + 8, GUID_PREFIX | blade);
}

/* The response header: the request's, as a response with this status. */
static int pcv_sa_reply(u8 *out, const u8 *in, u8 method, u16 status)
{
	memcpy(out, in, SA_DATA);
	memset(out + 24, 0, SA_DATA - 24);	/* RMPP and SA headers */
	out[MAD_METHOD] = method;
	pcv_mad_put16(out + MAD_STATUS, status);
	pcv_mad_put16(out + 6, 0);
	return PCV_SA_REPLY;
}

static int pcv_sa_classportinfo(const u8 *in, u8 *out)
{
	u8 *d = out + SA_DATA;

	if (in[MAD_METHOD] != METHOD_GET)
		return pcv_sa_reply(out, in, METHOD_GET_RESP, ST_UNSUP_METHOD_ATTR);
	pcv_sa_reply(out, in, METHOD_GET_RESP, 0);
	d[0] = 1;			/* base version */
	d[1] = SA_CLASS_VERSION;
	pcv_mad_put16(d + 2, 1 << 9);		/* IsMulticastSupported: joins are answered */
	pcv_mad_put32(d + 4, PKT_LIFETIME);	/* CapabilityMask2 0, RespTimeValue */
	return PCV_SA_REPLY;
}

/* One path record, from blade src to blade dst. */
static void pcv_sa_path(u8 *r, u32 src, u32 dst)
{
	memset(r, 0, PR_SIZE);
	pcv_sa_put_gid(r + PR_DGID, dst);
	pcv_sa_put_gid(r + PR_SGID, src);
	pcv_mad_put16(r + PR_DLID, dst + 1);
	pcv_mad_put16(r + PR_SLID, src + 1);
	pcv_mad_put32(r + PR_FLOW_HOP, 0);	/* one hop, no flow label: LID routed */
	r[PR_TCLASS] = 0;
	r[PR_REV_NUMB] = 0x80 | 1;	/* reversible, one path */
	pcv_mad_put16(r + PR_PKEY, PKEY_DEFAULT);
	pcv_mad_put16(r + PR_SL, 0);
	r[PR_MTU] = SEL_EXACTLY << 6 | PORT_MTU;
	r[PR_RATE] = SEL_EXACTLY << 6 | PORT_RATE;
	r[PR_LIFE] = SEL_EXACTLY << 6 | PKT_LIFETIME;
}

/* Blade a component names (GID or LID), -1 if none of ours, -2 if wildcard. */
static int pcv_sa_end(const struct pcv_sa *sa, const u8 *rec, u64 mask, u64 gid_bit,
		      u64 lid_bit, u32 gid_off, u32 lid_off)
{
	int by_gid = -2, by_lid = -2;

	if (mask & gid_bit)
		by_gid = pcv_sa_gid_blade(sa, rec + gid_off);
	if (mask & lid_bit) {
		u16 lid = pcv_mad_get16(rec + lid_off);

		by_lid = lid >= 1 && lid <= sa->nr_blades ? lid - 1 : -1;
	}
	if (by_gid == -1 || by_lid == -1)
		return -1;
	if (by_gid >= 0 && by_lid >= 0 && by_gid != by_lid)
		return -1;
	return by_gid >= 0 ? by_gid : by_lid;
}

static int pcv_sa_path_rec(struct pcv_sa *sa, const u8 *in, u8 *out)
{
	const u8 *q = in + SA_DATA;
	u64 mask = pcv_mad_get64(in + SA_COMP_MASK);
	u8 method = in[MAD_METHOD];
	bool table = method == METHOD_GET_TABLE;
	u8 rmethod = table ? METHOD_GET_TABLE_RESP : METHOD_GET_RESP;
	int dst, src;
	u32 n = 0, b;

	if (method != METHOD_GET && !table)
		return pcv_sa_reply(out, in, METHOD_GET_RESP, ST_UNSUP_METHOD_ATTR);
	dst = pcv_sa_end(sa, q, mask, PR_CM_DGID, PR_CM_DLID, PR_DGID, PR_DLID);
	src = pcv_sa_end(sa, q, mask, PR_CM_SGID, PR_CM_SLID, PR_SGID, PR_SLID);
	if (dst == -1 || src == -1)
		return pcv_sa_reply(out, in, rmethod, ST_SA_NO_RECORDS);
	/* A Get names one path; only a table may leave the ends open. */
	if (!table && dst < 0)
		return pcv_sa_reply(out, in, rmethod, ST_SA_REQ_INVALID);
	if (src < 0)
		src = sa->blade;
	if ((mask & PR_CM_NUMB_PATH) && !(q[PR_REV_NUMB] & 0x7f))
		return pcv_sa_reply(out, in, rmethod, ST_SA_REQ_INVALID);
	pcv_sa_reply(out, in, rmethod, 0);
	for (b = 0; b < sa->nr_blades && (n + 1) * PR_SIZE <= SA_DATA_SIZE; b++) {
		if ((dst >= 0 && b != (u32)dst) || !pcv_sa_up(sa, b) || !pcv_sa_up(sa, src))
			continue;
		pcv_sa_path(out + SA_DATA + n * PR_SIZE, src, b);
		n++;
		if (!table)
			break;
	}
	if (!n)
		pcv_mad_put16(out + MAD_STATUS, ST_SA_NO_RECORDS);
	if (table)
		pcv_mad_put16(out + SA_ATTR_OFFSET, PR_SIZE / 8);
	return PCV_SA_REPLY;
}

static u32 pcv_sa_qkey_of(struct pcv_sa *sa, const u8 *mgid, const u8 *q, u64 mask)
{
	u32 i, qkey;

	if ((mask & MC_CM_QKEY) && pcv_mad_get32(q + MC_QKEY)) {
		qkey = pcv_mad_get32(q + MC_QKEY);
		for (i = 0; i < PCV_SA_QKEYS; i++)
			if (sa->qkeys[i].qkey && !memcmp(sa->qkeys[i].mgid, mgid, 16))
				break;
		if (i == PCV_SA_QKEYS) {
			if (qkey == PCV_SA_DEFAULT_QKEY)
				return qkey;
			i = sa->qkey_next++ % PCV_SA_QKEYS;
			memcpy(sa->qkeys[i].mgid, mgid, 16);
		}
		sa->qkeys[i].qkey = qkey;
		return qkey;
	}
	for (i = 0; i < PCV_SA_QKEYS; i++)
		if (sa->qkeys[i].qkey && !memcmp(sa->qkeys[i].mgid, mgid, 16))
			return sa->qkeys[i].qkey;
	return PCV_SA_DEFAULT_QKEY;
}

static int pcv_sa_mcmember(struct pcv_sa *sa, const u8 *in, u8 *out)
{
	static const u8 zero[16];
	const u8 *q = in + SA_DATA;
	u64 mask = pcv_mad_get64(in + SA_COMP_MASK);
	u8 method = in[MAD_METHOD];
	u8 rmethod = method == METHOD_DELETE ? METHOD_DELETE_RESP : METHOD_GET_RESP;
	u8 *r = out + SA_DATA;
	u8 join;

	if (method != METHOD_SET && method != METHOD_DELETE && method != METHOD_GET)
		return pcv_sa_reply(out, in, METHOD_GET_RESP, ST_UNSUP_METHOD_ATTR);
	join = q[MC_SCOPE_JOIN] & 0x0f;
	/* A group is named, by a multicast GID; members by one of our GIDs. */
	if (!(mask & MC_CM_MGID) || !memcmp(q + MC_MGID, zero, 16) || q[MC_MGID] != 0xff)
		return pcv_sa_reply(out, in, rmethod, ST_SA_REQ_INVALID);
	if (method != METHOD_GET &&
	    (!(mask & MC_CM_PORT_GID) || pcv_sa_gid_blade(sa, q + MC_PORT_GID) < 0 ||
	     !(mask & MC_CM_JOIN_STATE) || !join))
		return pcv_sa_reply(out, in, rmethod, ST_SA_REQ_INVALID);

	pcv_sa_reply(out, in, rmethod, 0);
	memcpy(r + MC_MGID, q + MC_MGID, 16);
	if (method == METHOD_GET)
		pcv_sa_put_gid(r + MC_PORT_GID, sa->blade);
	else
		memcpy(r + MC_PORT_GID, q + MC_PORT_GID, 16);
	pcv_mad_put32(r + MC_QKEY, method == METHOD_SET ? pcv_sa_qkey_of(sa, q + MC_MGID, q, mask) :
			   pcv_sa_qkey_of(sa, q + MC_MGID, q, 0));
	pcv_mad_put16(r + MC_MLID, pcv_sa_mlid(q + MC_MGID));
	r[MC_MTU] = SEL_EXACTLY << 6 | PORT_MTU;
	r[MC_TCLASS] = 0;
	pcv_mad_put16(r + MC_PKEY, PKEY_DEFAULT);
	r[MC_RATE] = SEL_EXACTLY << 6 | PORT_RATE;
	r[MC_LIFE] = SEL_EXACTLY << 6 | PKT_LIFETIME;
	pcv_mad_put32(r + MC_SL_FLOW_HOP, 0);
	/* Scope is the MGID's; join state as asked (a Get: full member). */
	r[MC_SCOPE_JOIN] = (q[MC_MGID + 1] & 0x0f) << 4 | (method == METHOD_GET ? 1 : join);
	return PCV_SA_REPLY;
}

int pcv_sa_process(struct pcv_sa *sa, const u8 *in, size_t in_len, u8 *out)
{
	u8 method;

	if (in_len < SA_DATA || in[MAD_CLASS] != MGMT_CLASS_SUBN_ADM)
		return in_len < SA_DATA ? PCV_SA_DROP : PCV_SA_NOT_MINE;
	method = in[MAD_METHOD];
	/* Responses belong to whoever asked; never answer one. */
	if (method & METHOD_RESP)
		return PCV_SA_NOT_MINE;
	if (in_len < PCV_SA_MAD_SIZE || in[MAD_BASE_VERSION] != 1) {
		sa->dropped++;
		return PCV_SA_DROP;
	}
	memset(out, 0, PCV_SA_MAD_SIZE);
	sa->answered++;
	if (in[MAD_CLASS_VERSION] != SA_CLASS_VERSION)
		return pcv_sa_reply(out, in, METHOD_GET_RESP, 0x0004);	/* bad version */
	switch (pcv_mad_get16(in + MAD_ATTR_ID)) {
	case ATTR_CLASS_PORTINFO:
		return pcv_sa_classportinfo(in, out);
	case ATTR_PATH_REC:
		return pcv_sa_path_rec(sa, in, out);
	case ATTR_MCMEMBER_REC:
		return pcv_sa_mcmember(sa, in, out);
	default:
		if (method != METHOD_GET && method != METHOD_SET && method != METHOD_GET_TABLE &&
		    method != METHOD_DELETE)
			return pcv_sa_reply(out, in, method | METHOD_RESP, ST_UNSUP_METHOD);
		return pcv_sa_reply(out, in, method == METHOD_GET_TABLE ? METHOD_GET_TABLE_RESP :
					     METHOD_GET_RESP, ST_UNSUP_METHOD_ATTR);
	}
}
