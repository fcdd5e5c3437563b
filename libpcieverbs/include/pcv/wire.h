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

/* 2: QP/MR tables, control ring, RC; 3: datagram rings */
#define PCV_WIRE_VERSION_MAJOR		3
#define PCV_WIRE_VERSION_MINOR		2
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
	PCV_SPAD_QPT_LO,		/* exported QP table (fabric address) */
	PCV_SPAD_QPT_HI,
	PCV_SPAD_QPT_N,			/* entries */
	PCV_SPAD_MRT_LO,		/* exported MR table */
	PCV_SPAD_MRT_HI,
	PCV_SPAD_MRT_N,
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
	/*
	 * The sender's datagram ring for datagrams from the receiver of this
	 * block (in the sender's memory; 0 = none).  Valid for the pair of
	 * epochs the block carries: both sides restart it with a new epoch.
	 */
	__le64 dgram_addr;
	__le32 dgram_order;		/* log2 of its 256-byte slots */
	__le32 reserved0;
	__le64 reserved[8];
};

/* ------------------------------------------------------------------------
 * Inbound slot layout (slot P of blade X's region, written by P only):
 *   0x0000  struct pcv_wire_link
 *   0x0080  P's consumer index of the X -> P control ring (le32, credit)
 *   0x00c0  P's consumer index of the X -> P datagram ring (le32, credit)
 *   0x0100  the P -> X control ring: PCV_CTRL_ENTRIES x 64-byte entries
 *   0x2100  P's credit wait sequence for the P -> X datagram ring (le32): P
 *           increments it when it found the ring full; X rings P's
 *           PCV_VEC_DATA after returning credit if it changed
 *   0x2140  (3.2) struct pcv_wire_onesided: the traffic P's one-sided
 *           operations made X receive and transmit (X never sees them)
 */
#define PCV_SLOT_LINK_OFF		0x0000
#define PCV_SLOT_CTRL_CREDIT_OFF	0x0080
#define PCV_SLOT_DGRAM_CREDIT_OFF	0x00c0
#define PCV_SLOT_DGRAM_WAIT_OFF		0x2100
#define PCV_SLOT_CTRL_RING_OFF		0x0100
#define PCV_SLOT_ONESIDED_OFF		0x2140
#define PCV_CTRL_ORDER			7		/* 128 entries */
#define PCV_CTRL_ESHIFT			6		/* 64 bytes each */

/*
 * Port counters of one-sided operations (3.2).  An RDMA WRITE, READ or
 * atomic is executed by the requester's kernel against the responder's
 * memory: the responder never sees it, yet its port received the WRITE and
 * transmitted the READ response.  So the requester tells it, in its slot:
 * totals since the pair of epochs below (payload octets and packets),
 * rewritten every link tick, each field one aligned 64-bit store.  The
 * receiver takes only forward, bounded steps (pcv_pma.c).
 */
struct pcv_wire_onesided {
	__le32 epoch;			/* the writer's epoch */
	__le32 peer_epoch;		/* the reader's, as the writer knows it */
	__le64 to_bytes;		/* put into the reader's memory (WRITE, atomic operands) */
	__le64 to_pkts;			/* ... request packets (READ requests included) */
	__le64 from_bytes;		/* taken from it (READ responses, atomic results) */
	__le64 from_pkts;
};

/*
 * Control messages between kernels (payload of a 64-byte ring entry, after
 * the 4-byte stamp).  FENCE_REQ asks the peer to finish every access to our
 * memory that it started before reading the request, then FENCE_ACK with
 * the same seq.  QP_GONE says one of our QPs (arg0) stopped talking to the
 * peer's QP arg1 (destroyed, reset or in error): the peer moves that QP to
 * error.
 */
enum pcv_ctrl_type {
	PCV_CTRL_FENCE_REQ = 1,
	PCV_CTRL_FENCE_ACK = 2,
	PCV_CTRL_QP_GONE = 3,
};

struct pcv_wire_ctrl {
	__le16 type;			/* enum pcv_ctrl_type */
	__le16 reserved0;
	__le32 seq;
	__le32 arg0;
	__le32 arg1;
	__le32 arg2;
	__le32 arg3;
	__le32 reserved[9];
};

/* ------------------------------------------------------------------------
 * Exported tables: each blade publishes (scratchpads QPT/MRT) an array of
 * 64-byte entries in its fabric memory that peers read through their window
 * on the slow path (connection set-up, RDMA key checks).  An entry is
 * updated seqlock-style: seq odd while it changes; readers copy it and
 * accept the copy only if seq was even and unchanged.
 */
#define PCV_QPT_ENTRY_SIZE		64
#define PCV_MRT_ENTRY_SIZE		64

/* pcv_wire_qpt.state: the IB QP state numbering (enum ib_qp_state). */
enum pcv_wire_qp_type {
	PCV_WIRE_QPT_RC = 1,
	PCV_WIRE_QPT_UC = 2,
	PCV_WIRE_QPT_UD = 3,
};

struct pcv_wire_qpt {
	__le32 seq;
	__le32 qpn;			/* 0: free entry */
	__u8 state;
	__u8 type;			/* enum pcv_wire_qp_type */
	__le16 access;			/* its qp_access_flags (IB_ACCESS_REMOTE_* bits) */
	__le32 pdn;
	__le32 conn_gen;		/* +1 at every transition to RTR */
	__le32 dest_blade;		/* RC/UC: the peer it is connected to */
	__le32 dest_qpn;
	__le32 ring_order;		/* log2 slots of its inbound ring */
	__le64 inbound_addr;		/* its inbound region (fabric address) */
	__le32 inbound_size;
	__u8 min_rnr_timer;		/* IB encoding */
	__u8 flags;			/* PCV_WIRE_QPT_F_* (3.1) */
	__u8 reserved1[2];
	__le32 reserved[4];
};

/*
 * pcv_wire_qpt.flags.  A kernel consumer's QP may send rendezvous messages
 * naming fabric addresses (PCV_MSGF_PHYS); a process's QP may not (since 3.1
 * a process may write its QP's messages itself: the fast path).
 */
#define PCV_WIRE_QPT_F_KERNEL		BIT(0)

/* pcv_wire_mrt.access */
#define PCV_MR_LOCAL_WRITE		BIT(0)
#define PCV_MR_REMOTE_WRITE		BIT(1)
#define PCV_MR_REMOTE_READ		BIT(2)
#define PCV_MR_REMOTE_ATOMIC		BIT(3)

#define PCV_PT_ENTRIES_SHIFT		9	/* 512 eight-byte entries per page-table page */

/*
 * Page table: page i of the MR is at L2[i & 511] where L2 is the 4 KiB page
 * whose fabric address is L1[i >> 9]; L1 is pt_addr.  Entries are le64
 * fabric addresses of 1 << page_shift byte pages; iova's offset in the first
 * page is iova & ((1 << page_shift) - 1).
 */
struct pcv_wire_mrt {
	__le32 seq;
	__le32 key;			/* the lkey/rkey; 0: invalid */
	__le32 pdn;
	__le32 access;			/* PCV_MR_* */
	__le64 iova;
	__le64 length;
	__le64 pt_addr;			/* L1 table (fabric address) */
	__le32 nr_pages;
	__u8 page_shift;
	__u8 reserved0[3];
	__le32 reserved[4];
};

/* ------------------------------------------------------------------------
 * QP inbound region (fabric memory of the QP's blade): a control block, then
 * the ring of messages from the connected peer QP.  All of it is written by
 * the peer (each field by it alone); the owner only reads it, except that it
 * zeroes the stamp word of slots it has consumed before returning them.
 */
#define PCV_QP_CTL_SIZE			256
#define PCV_MSG_SLOT_SHIFT		8	/* 256-byte slots */
#define PCV_MSG_SLOT_SIZE		256	/* 1 << PCV_MSG_SLOT_SHIFT */
#define PCV_MSG_MAX_SLOTS		17	/* largest: a 4096-byte datagram + header */

/* pcv_wire_qp_ctl.nak_code */
enum pcv_nak {
	PCV_NAK_NONE = 0,
	PCV_NAK_INV_REQ = 1,		/* malformed or too long for the receive buffer */
	PCV_NAK_REM_ACCESS = 2,		/* rendezvous source not accessible */
	PCV_NAK_REM_OP = 3,		/* responder failed (e.g. its CQ overflowed) */
};

struct pcv_wire_qp_ctl {
	__le32 conn_gen;		/* our conn_gen the peer connected to */
	__le32 credit;			/* peer consumed our messages up to this slot */
	__le32 ack_msn;			/* peer completed our messages below this msn */
	__le32 nak_msn;			/* the message it refused (if nak_code) */
	__le32 nak_code;		/* enum pcv_nak */
	__le32 rnr_msn;			/* message waiting for a receive WQE */
	__le32 rnr_seq;			/* +1 per RNR report */
	__le32 rnr_retry_seq;		/* requester: retry RNR reports up to this seq */
	__u8 rnr_timer;			/* responder's min_rnr_timer (IB encoding) */
	__u8 want_kick;			/* ring PCV_VEC_DATA after writing to me */
	__u8 reserved0[2];
	__le32 reserved[55];
};

enum pcv_msg_op {
	PCV_MSG_PAD = 1,		/* filler to the end of the ring */
	PCV_MSG_SEND = 2,		/* payload inline after the header */
	PCV_MSG_RNDV = 3,		/* payload in the sender's memory: pull it */
	PCV_MSG_WRITE_IMM = 4,		/* RDMA WRITE data already placed; consume a receive */
	PCV_MSG_UD = 5,			/* a datagram (struct pcv_wire_dgram), in datagram rings */
};

#define PCV_MSGF_IMM			BIT(0)	/* imm is valid */
#define PCV_MSGF_SOLICITED		BIT(1)
#define PCV_MSGF_PHYS			BIT(2)	/* RNDV sges are fabric addresses */
#define PCV_MSGF_GRH			BIT(3)	/* UD: a GRH (dgid, flow, class, hops) */
#define PCV_MSGF_MCAST			BIT(4)	/* UD: to the multicast group dgid/dlid */

#define PCV_MSG_HDR_SIZE		64
#define PCV_MSG_MAX_RSGE		8

struct pcv_wire_msg {
	__le32 stamp;			/* ring stamp of the first slot: written last */
	__u8 opcode;			/* enum pcv_msg_op */
	__u8 flags;			/* PCV_MSGF_* */
	__u8 nslots;			/* slots this message occupies */
	__u8 nsge;			/* PCV_MSG_RNDV: source descriptors that follow */
	__le32 msn;			/* two-sided message sequence number */
	__le32 length;			/* payload bytes */
	__le32 imm;			/* immediate data, network order as posted */
	__le32 src_qpn;
	__le32 conn_gen;		/* receiver's conn_gen the sender targets */
	__le32 reserved[9];
};

/*
 * Datagram rings: one per ordered blade pair (and one from a blade to
 * itself), in the receiver's memory, written by the sender's kernel for all
 * of its UD QPs; the same slots and stamps as a QP's message ring.  The
 * receiver finds the destination QP (or the multicast group's members), and
 * builds the GRH it delivers from what it knows: the source GID is that of
 * the blade the ring belongs to, never something the sender claims.
 */
struct pcv_wire_dgram {
	__le32 stamp;			/* ring stamp of the first slot: written last */
	__u8 opcode;			/* PCV_MSG_UD */
	__u8 flags;			/* PCV_MSGF_IMM, _SOLICITED, _GRH, _MCAST */
	__u8 nslots;
	__u8 sl;
	__le32 dest_qpn;		/* unicast: the receiving QP; multicast: 0xffffff */
	__le32 length;			/* payload bytes (the receiver adds the GRH area) */
	__le32 imm;			/* network order, as posted */
	__le32 src_qpn;
	__le32 qkey;
	__le16 pkey;
	__le16 dlid;			/* as addressed (the MLID for multicast) */
	__le32 flow_label;		/* GRH: 20 bits */
	__u8 traffic_class;		/* GRH */
	__u8 hop_limit;			/* GRH */
	__u8 reserved0[2];
	__u8 dgid[16];			/* GRH: destination GID, network order */
	__le32 reserved[2];
};

#define PCV_UD_MAX_PAYLOAD		4096	/* the port MTU */
#define PCV_GRH_BYTES			40

/* A rendezvous source: bytes the receiver pulls from the sender's memory. */
struct pcv_wire_rsge {
	__le64 addr;			/* iova in the MR (key), or fabric address (PHYS) */
	__le32 length;
	__le32 key;			/* sender's MR key; 0 with PCV_MSGF_PHYS */
};

PCV_STATIC_ASSERT(sizeof(struct pcv_wire_ctrl) == 60, "ctrl message size");
PCV_STATIC_ASSERT(sizeof(struct pcv_wire_qpt) == PCV_QPT_ENTRY_SIZE, "qpt entry size");
PCV_STATIC_ASSERT(__builtin_offsetof(struct pcv_wire_qpt, inbound_addr) == 32, "qpt addr offset");
PCV_STATIC_ASSERT(sizeof(struct pcv_wire_mrt) == PCV_MRT_ENTRY_SIZE, "mrt entry size");
PCV_STATIC_ASSERT(sizeof(struct pcv_wire_qp_ctl) == PCV_QP_CTL_SIZE, "qp ctl size");
PCV_STATIC_ASSERT(sizeof(struct pcv_wire_msg) == PCV_MSG_HDR_SIZE, "msg header size");
PCV_STATIC_ASSERT(sizeof(struct pcv_wire_rsge) == 16, "rsge size");
PCV_STATIC_ASSERT(sizeof(struct pcv_wire_dgram) == PCV_MSG_HDR_SIZE, "datagram header size");
PCV_STATIC_ASSERT(__builtin_offsetof(struct pcv_wire_dgram, dgid) == 40, "datagram dgid offset");
PCV_STATIC_ASSERT(PCV_MSG_HDR_SIZE + PCV_UD_MAX_PAYLOAD <= PCV_MSG_MAX_SLOTS * PCV_MSG_SLOT_SIZE,
		  "largest datagram fits a message");
PCV_STATIC_ASSERT(PCV_SLOT_CTRL_RING_OFF + (1 << (PCV_CTRL_ORDER + PCV_CTRL_ESHIFT)) <=
		  PCV_SLOT_DGRAM_WAIT_OFF, "slot layout");
PCV_STATIC_ASSERT(PCV_MSG_SLOT_SIZE == 1 << PCV_MSG_SLOT_SHIFT, "slot size");
PCV_STATIC_ASSERT(PCV_SLOT_DGRAM_WAIT_OFF + 4 <= PCV_SLOT_ONESIDED_OFF &&
		  PCV_SLOT_ONESIDED_OFF % 64 == 0 && sizeof(struct pcv_wire_onesided) == 40,
		  "one-sided counters in the slot");
PCV_STATIC_ASSERT(PCV_MSG_HDR_SIZE + PCV_MSG_MAX_RSGE * 16 <= PCV_MSG_SLOT_SIZE,
		  "rendezvous message fits one slot");
PCV_STATIC_ASSERT(sizeof(struct pcv_wire_region_hdr) == 64, "region hdr size");
PCV_STATIC_ASSERT(sizeof(struct pcv_wire_link) == 128, "link block size");
PCV_STATIC_ASSERT(__builtin_offsetof(struct pcv_wire_link, diag_addr) == 32, "link diag off");
PCV_STATIC_ASSERT(__builtin_offsetof(struct pcv_wire_link, dgram_addr) == 48, "link dgram off");

#endif /* PCV_WIRE_H */
