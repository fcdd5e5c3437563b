/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The performance management agent: answers PerfMgmt MADs about port 1.
 *
 * Linux builds /sys/class/infiniband/<dev>/ports/<p>/counters/ from these
 * MADs (it asks the driver's process_mad), and perfquery asks them over
 * the fabric.  The agent answers Get(ClassPortInfo), Get(PortCounters) and
 * Get(PortCountersExtended) from a snapshot of the blade's traffic totals;
 * everything else gets the MAD status it deserves.  Nothing here counts:
 * the caller gives the totals.
 *
 * Input is a MAD as received (hostile); output a complete response MAD.
 * Fields are big-endian on the wire and read/written byte by byte.
 */
#ifndef PCV_PMA_H
#define PCV_PMA_H

#include "osdep.h"

#define PCV_PMA_MAD_SIZE		256

/* pcv_pma_process() results (the SA's values) */
enum {
	PCV_PMA_DROP = -1,		/* malformed: no answer */
	PCV_PMA_NOT_MINE = 0,		/* not a PerfMgmt request */
	PCV_PMA_REPLY = 1,		/* out holds the response */
};

/* The totals the answers are made of (octets, not 4-octet units). */
struct pcv_pma_counters {
	u64 xmit_bytes;
	u64 rcv_bytes;
	u64 xmit_pkts;
	u64 rcv_pkts;
	u64 mcast_xmit_pkts;		/* included in xmit_pkts */
	u64 mcast_rcv_pkts;		/* included in rcv_pkts */
	u64 xmit_discards;		/* packets not sent: destination down */
	u64 rcv_errors;			/* packets received malformed */
};

int pcv_pma_process(const struct pcv_pma_counters *c, u32 port, const u8 *in, size_t in_len,
		    u8 *out);

#endif /* PCV_PMA_H */
