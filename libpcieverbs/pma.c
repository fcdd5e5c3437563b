// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The performance management agent (see pcv/pma.h).  MAD layout from IBA
 * 13.4 (common header) and 16.1 (PerfMgmt: 40 reserved bytes after the
 * header, then the attribute).  PortCounters' 32-bit data and packet
 * counters stop at their maximum (IBA 16.1.3.5); PortCountersExtended is
 * 64 bits wide.  Data counters are in units of 4 octets.
 */
#include "pcv/pma.h"
#include "pcv/mad_be.h"

#define MAD_BASE_VERSION	0
#define MAD_CLASS		1
#define MAD_CLASS_VERSION	2
#define MAD_METHOD		3
#define MAD_STATUS		4
#define MAD_ATTR_ID		16
#define MAD_HDR_SIZE		24
#define PMA_DATA		64	/* header + 40 reserved bytes */

#define MGMT_CLASS_PERF_MGMT	0x04
#define PMA_CLASS_VERSION	1

#define METHOD_GET		0x01
#define METHOD_SET		0x02
#define METHOD_GET_RESP		0x81
#define METHOD_RESP		0x80

#define ATTR_CLASS_PORTINFO	0x0001
#define ATTR_PORT_SAMPLES_CTL	0x0010
#define ATTR_PORT_SAMPLES_RES	0x0011
#define ATTR_PORT_COUNTERS	0x0012
#define ATTR_PORT_COUNTERS_EXT	0x001d
#define ATTR_PORT_SAMPLES_EXT	0x001e

#define ST_BAD_VERSION		0x0004
#define ST_UNSUP_METHOD		0x0008
#define ST_UNSUP_METHOD_ATTR	0x000c
#define ST_INVALID_VALUE	0x001c

/* ClassPortInfo.CapabilityMask: PortSelect 0xFF, PortCountersExtended. */
#define CAP_ALL_PORT_SELECT	BIT(8)
#define CAP_EXT_WIDTH		BIT(9)
#define RESP_TIME_VALUE		18	/* ~1 s: 4.096 us * 2^18 */

/* PortCounters (offsets in the attribute) */
#define PC_PORT_SELECT		1
#define PC_XMIT_DISCARDS	14
#define PC_RCV_ERRORS		8
#define PC_XMIT_DATA		24
#define PC_RCV_DATA		28
#define PC_XMIT_PKTS		32
#define PC_RCV_PKTS		36

/* PortCountersExtended */
#define PCX_XMIT_DATA		8
#define PCX_RCV_DATA		16
#define PCX_XMIT_PKTS		24
#define PCX_RCV_PKTS		32
#define PCX_UCAST_XMIT		40
#define PCX_UCAST_RCV		48
#define PCX_MCAST_XMIT		56
#define PCX_MCAST_RCV		64

#define ALL_PORTS		0xff

static u16 sat16(u64 v)
{
	return v > 0xffff ? 0xffff : (u16)v;
}

static u32 sat32(u64 v)
{
	return v > 0xffffffffULL ? 0xffffffffU : (u32)v;
}

/* The response: the request echoed (TID, attribute, modifier, data), method and status set. */
static int pcv_pma_reply(u8 *out, const u8 *in, u8 method, u16 status)
{
	memcpy(out, in, PCV_PMA_MAD_SIZE);
	memset(out + MAD_HDR_SIZE, 0, PMA_DATA - MAD_HDR_SIZE);
	out[MAD_METHOD] = method;
	pcv_mad_put16(out + MAD_STATUS, status);
	pcv_mad_put16(out + 6, 0);	/* class specific */
	return PCV_PMA_REPLY;
}

static void pcv_pma_counters(const struct pcv_pma_counters *c, u8 *d)
{
	pcv_mad_put16(d + PC_RCV_ERRORS, sat16(c->rcv_errors));
	pcv_mad_put16(d + PC_XMIT_DISCARDS, sat16(c->xmit_discards));
	pcv_mad_put32(d + PC_XMIT_DATA, sat32(c->xmit_bytes / 4));
	pcv_mad_put32(d + PC_RCV_DATA, sat32(c->rcv_bytes / 4));
	pcv_mad_put32(d + PC_XMIT_PKTS, sat32(c->xmit_pkts));
	pcv_mad_put32(d + PC_RCV_PKTS, sat32(c->rcv_pkts));
}

static void pcv_pma_counters_ext(const struct pcv_pma_counters *c, u8 *d)
{
	u64 mx = c->mcast_xmit_pkts < c->xmit_pkts ? c->mcast_xmit_pkts : c->xmit_pkts;
	u64 mr = c->mcast_rcv_pkts < c->rcv_pkts ? c->mcast_rcv_pkts : c->rcv_pkts;

	memset(d + 4, 0, 4);	/* reserved */
	pcv_mad_put64(d + PCX_XMIT_DATA, c->xmit_bytes / 4);
	pcv_mad_put64(d + PCX_RCV_DATA, c->rcv_bytes / 4);
	pcv_mad_put64(d + PCX_XMIT_PKTS, c->xmit_pkts);
	pcv_mad_put64(d + PCX_RCV_PKTS, c->rcv_pkts);
	pcv_mad_put64(d + PCX_UCAST_XMIT, c->xmit_pkts - mx);
	pcv_mad_put64(d + PCX_UCAST_RCV, c->rcv_pkts - mr);
	pcv_mad_put64(d + PCX_MCAST_XMIT, mx);
	pcv_mad_put64(d + PCX_MCAST_RCV, mr);
}

int pcv_pma_process(const struct pcv_pma_counters *c, u32 port, const u8 *in, size_t in_len,
		    u8 *out)
{
	u8 method, *d = out + PMA_DATA;
	u16 attr;

	if (in_len < PMA_DATA || in[MAD_CLASS] != MGMT_CLASS_PERF_MGMT)
		return in_len < PMA_DATA ? PCV_PMA_DROP : PCV_PMA_NOT_MINE;
	method = in[MAD_METHOD];
	/* Responses belong to whoever asked; never answer one. */
	if (method & METHOD_RESP)
		return PCV_PMA_NOT_MINE;
	if (in_len < PCV_PMA_MAD_SIZE || in[MAD_BASE_VERSION] != 1)
		return PCV_PMA_DROP;
	if (in[MAD_CLASS_VERSION] != PMA_CLASS_VERSION)
		return pcv_pma_reply(out, in, METHOD_GET_RESP, ST_BAD_VERSION);
	if (method != METHOD_GET && method != METHOD_SET)
		return pcv_pma_reply(out, in, method | METHOD_RESP, ST_UNSUP_METHOD);

	attr = pcv_mad_get16(in + MAD_ATTR_ID);
	switch (attr) {
	case ATTR_CLASS_PORTINFO:
	case ATTR_PORT_COUNTERS:
	case ATTR_PORT_COUNTERS_EXT:
		break;
	default:
		/* PortSamples*, vendor and unknown attributes. */
		return pcv_pma_reply(out, in, METHOD_GET_RESP, ST_UNSUP_METHOD_ATTR);
	}
	/* Counters are not reset or sampled from the fabric: no Set. */
	if (method != METHOD_GET)
		return pcv_pma_reply(out, in, METHOD_GET_RESP, ST_UNSUP_METHOD_ATTR);

	pcv_pma_reply(out, in, METHOD_GET_RESP, 0);
	if (attr == ATTR_CLASS_PORTINFO) {
		memset(d, 0, PCV_PMA_MAD_SIZE - PMA_DATA);
		d[0] = 1;			/* BaseVersion */
		d[1] = PMA_CLASS_VERSION;
		pcv_mad_put16(d + 2, CAP_ALL_PORT_SELECT | CAP_EXT_WIDTH);
		pcv_mad_put32(d + 4, RESP_TIME_VALUE);	/* CapabilityMask2 0, RespTimeValue */
		return PCV_PMA_REPLY;
	}
	if (in[PMA_DATA + PC_PORT_SELECT] != port &&
	    in[PMA_DATA + PC_PORT_SELECT] != ALL_PORTS)
		return pcv_pma_reply(out, in, METHOD_GET_RESP, ST_INVALID_VALUE);
	/* Keep PortSelect and CounterSelect (the first 4 bytes), fill the rest. */
	memset(d + 4, 0, PCV_PMA_MAD_SIZE - PMA_DATA - 4);
	if (attr == ATTR_PORT_COUNTERS)
		pcv_pma_counters(c, d);
	else
		pcv_pma_counters_ext(c, d);
	return PCV_PMA_REPLY;
}
