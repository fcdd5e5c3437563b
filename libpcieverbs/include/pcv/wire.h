/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * pcieverbs wire format: what blades write into each other's memory.
 *
 * Fixed little-endian, whatever the CPU (agent boards are often big-endian
 * PowerPC, hosts x86).  Versioned: the major number changes on any
 * incompatible change and blades with different majors refuse to link; the
 * minor number grows with compatible additions (new fields in reserved
 * space that old readers ignore).  docs/design.md describes the protocol.
 */
#ifndef PCV_WIRE_H
#define PCV_WIRE_H

#include "osdep.h"

#define PCV_WIRE_VERSION_MAJOR		1
#define PCV_WIRE_VERSION_MINOR		0
#define PCV_WIRE_VERSION		((PCV_WIRE_VERSION_MAJOR << 16) | PCV_WIRE_VERSION_MINOR)
#define PCV_WIRE_MAJOR(v)		((u32)(v) >> 16)
#define PCV_WIRE_MINOR(v)		((u32)(v) & 0xffff)

/* ------------------------------------------------------------------------
 * Scratchpads: the discovery record each blade publishes about itself in
 * its own scratchpad registers (read by peers locally, never written by
 * them).  Published in the order: STATE = 0, the fields, barrier,
 * STATE = READY; readers take a seqlock-style snapshot (STATE and EPOCH
 * read before and after the fields must match).
 */
enum pcv_spad {
	PCV_SPAD_MAGIC = 0,		/* PCV_SPAD_MAGIC_VAL */
	PCV_SPAD_VERSION,		/* PCV_WIRE_VERSION of the publisher */
	PCV_SPAD_EPOCH,			/* random, non-zero, new at every driver load */
	PCV_SPAD_STATE,			/* PCV_SPAD_STATE_* */
	PCV_SPAD_REGION_LO,		/* fabric region physical address, low 32 bits */
	PCV_SPAD_REGION_HI,		/* ... high 32 bits */
	PCV_SPAD_REGION_SIZE,		/* bytes */
	PCV_SPAD_SLOT_OFF,		/* offset of inbound slot 0 in the region */
	PCV_SPAD_SLOT_SIZE,		/* bytes per inbound slot */
	PCV_SPAD_NR,			/* number of scratchpads used */
};

#define PCV_SPAD_MAGIC_VAL		0x4c564350	/* "PCVL" as LE bytes */
#define PCV_SPAD_STATE_DOWN		0
#define PCV_SPAD_STATE_READY		1

/* ------------------------------------------------------------------------
 * Fabric region: physically contiguous memory each blade allocates in its
 * own RAM.  Slot P (at slot_off + P * slot_size) is written only by peer P
 * through its window; everything else only by the owner.
 */
#define PCV_REGION_MAGIC		0x4e475250	/* "PRGN" */
#define PCV_SLOT_ALIGN			64

struct pcv_wire_region_hdr {		/* owner-written, informative */
	__le32 magic;			/* PCV_REGION_MAGIC */
	__le32 version;			/* PCV_WIRE_VERSION */
	__le32 owner;			/* blade id */
	__le32 epoch;
	__le32 slot_off;
	__le32 slot_size;
	__le32 nr_slots;
	__le32 reserved[9];
};

/*
 * Link block: the first thing in an inbound slot.  Written by the sending
 * blade (field by field, each field has one writer: the sender), describing
 * the sender.  The receiver trusts none of it.
 */
#define PCV_LINK_MAGIC			0x4b4e494c	/* "LINK" */

struct pcv_wire_link {
	__le32 magic;			/* PCV_LINK_MAGIC */
	__le32 version;			/* sender's PCV_WIRE_VERSION */
	__le32 epoch;			/* sender's epoch */
	__le32 ack_epoch;		/* receiver's epoch as last seen by the sender */
	__le32 heartbeat;		/* sender increments it every tick */
	__le32 ping;			/* sender's latest ping sequence */
	__le32 pong;			/* latest ping of the receiver the sender answered */
	__le32 flags;			/* none defined: 0 */
	__le64 diag_addr;		/* sender's diagnostic area (phys), 0 = none */
	__le64 diag_size;		/* bytes */
	__le64 reserved[10];
};

PCV_STATIC_ASSERT(sizeof(struct pcv_wire_region_hdr) == 64, "region hdr size");
PCV_STATIC_ASSERT(sizeof(struct pcv_wire_link) == 128, "link block size");
PCV_STATIC_ASSERT(__builtin_offsetof(struct pcv_wire_link, diag_addr) == 32, "link diag off");

#endif /* PCV_WIRE_H */
