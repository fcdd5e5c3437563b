/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * pcieverbs emulated chassis: the hardware interface ("datasheet" header).
 *
 * This header describes what a blade's fabric device looks like to software:
 * the control region behind the doorbell function's BAR2, the per-blade
 * register blocks, the agent DMA engine's descriptor format and the
 * doorbell vectors.  It is shared by the chassis daemon (which plays the
 * hardware) and the kernel backend (which drives it).  docs/dma-engine.md is
 * the prose version; the two must agree.
 *
 * Every multi-byte field is little-endian, as PCI registers are, whatever
 * the endianness of the CPU that reads it.  Both sides convert explicitly.
 * Only fixed-width types and explicit padding are used; layouts are checked
 * by static assertions at the bottom of this file.
 */
#ifndef PCV_CHASSIS_HW_H
#define PCV_CHASSIS_HW_H

#include <linux/types.h>

/* PCI identity of the chassis functions (QEMU ivshmem). */
#define PCV_HW_PCI_VENDOR		0x1af4
#define PCV_HW_PCI_DEVICE		0x1110

/*
 * Function layout on every blade's PCI bus 0: the doorbell function
 * (ivshmem-doorbell, MSI-X, BAR2 = control region) sits in a fixed slot;
 * the window onto peer P (ivshmem-plain, BAR2 = P's RAM) sits in the slot
 * the control region's window_slot[blade][P] names.
 */
#define PCV_HW_DOORBELL_SLOT		0x08
#define PCV_HW_WINDOW_SLOT_BASE		0x10

/* BAR numbers of an ivshmem function. */
#define PCV_HW_BAR_REGS			0	/* 256 B of registers */
#define PCV_HW_BAR_MSIX			1	/* doorbell function only */
#define PCV_HW_BAR_MEM			2	/* control region / peer RAM */

/* BAR0 registers of an ivshmem function (QEMU's ivshmem spec). */
#define PCV_HW_REG_INTR_MASK		0x00
#define PCV_HW_REG_INTR_STATUS		0x04
#define PCV_HW_REG_IVPOSITION		0x08	/* our doorbell peer id */
#define PCV_HW_REG_DOORBELL		0x0c	/* (peer << 16) | vector */
#define PCV_HW_DOORBELL_VAL(peer, vec)	(((__u32)(peer) << 16) | ((__u32)(vec) & 0xffff))

/* Limits. */
#define PCV_HW_MAX_BLADES		8
#define PCV_HW_NO_SLOT			0xff

/*
 * Doorbell vectors of every blade.  LINK and DATA are rung by peers (their
 * meaning is the transport's); DMA and EVENT are rung by the chassis.
 * Doorbells coalesce: a vector says "look", the work is described in memory.
 */
#define PCV_HW_VEC_LINK			0	/* a peer updated link state */
#define PCV_HW_VEC_DMA			1	/* a DMA descriptor with F_IRQ completed */
#define PCV_HW_VEC_DATA			2	/* a peer posted data-path work */
#define PCV_HW_VEC_EVENT		3	/* some blade's presence changed */
#define PCV_HW_NR_VECTORS		4

/* ------------------------------------------------------------------------
 * Control region: BAR2 of the doorbell function, shared by every blade and
 * the chassis.  Offset 0 holds the header; blade B's register block is at
 * blade_block_off + B * blade_block_size.
 */
#define PCV_HW_CTRL_SIZE		0x10000		/* 64 KiB */
#define PCV_HW_CTRL_MAGIC		0x314c525443564350ULL	/* "PCVCTRL1" as LE bytes */
#define PCV_HW_CTRL_VERSION_MAJOR	1
#define PCV_HW_CTRL_VERSION_MINOR	0

struct pcv_hw_ctrl_hdr {			/* written by the chassis only */
	__le64 magic;				/* PCV_HW_CTRL_MAGIC */
	__le16 version_major;			/* incompatible changes */
	__le16 version_minor;			/* compatible additions */
	__le32 hdr_size;			/* sizeof(struct pcv_hw_ctrl_hdr) */
	__le32 nr_blades;			/* blades in this chassis, 1..MAX */
	__le32 max_blades;			/* PCV_HW_MAX_BLADES */
	__le64 ram_size;			/* RAM per blade = window size */
	__le32 blade_block_off;			/* offset of blade 0's block */
	__le32 blade_block_size;		/* stride between blocks */
	__le16 engine_peer;			/* doorbell id of the DMA engine */
	__le16 nr_vectors;			/* PCV_HW_NR_VECTORS */
	__le32 chassis_id;			/* random per chassis boot */
	/* window_slot[b][p]: PCI device number, on blade b, of its window
	 * onto blade p; PCV_HW_NO_SLOT where there is none (p == b).
	 */
	__u8 window_slot[PCV_HW_MAX_BLADES][PCV_HW_MAX_BLADES];
	__le64 reserved[8];
};

/* pcv_hw_blade_regs.present */
#define PCV_HW_PRESENT			0x50524553	/* "PRES" */

/* pcv_hw_blade_regs.dma_status bits (written by the engine) */
#define PCV_HW_DMA_STS_ENABLED		(1U << 0)	/* ring latched and running */
#define PCV_HW_DMA_STS_ERR_CONFIG	(1U << 1)	/* ring base/order/wb invalid */
#define PCV_HW_DMA_STS_ERR_INDEX	(1U << 2)	/* prod ran ahead of the ring */

/* pcv_hw_blade_regs.dma_ctrl bits (written by the blade) */
#define PCV_HW_DMA_CTRL_ENABLE		(1U << 0)

#define PCV_HW_DMA_RING_ORDER_MIN	4
#define PCV_HW_DMA_RING_ORDER_MAX	12
#define PCV_HW_NR_SPADS			64

struct pcv_hw_blade_regs {
	/* 0x000: status, written by the chassis, read-only to blades */
	__le32 present;			/* PCV_HW_PRESENT while powered on */
	__le32 generation;		/* +1 every time the blade connects */
	__le32 dma_status;		/* PCV_HW_DMA_STS_* */
	__le32 dma_cons;		/* engine consumer index (free running) */
	__le64 dma_desc_done;		/* descriptors completed, any status */
	__le64 dma_bytes_done;		/* payload bytes moved */
	__le64 dma_errors;		/* descriptors completed with an error */
	__le64 dma_irqs;		/* completion interrupts raised */
	__le64 reserved0[2];
	/* 0x040: DMA engine registers, written by the blade */
	__le64 dma_ring_base;		/* physical address in own RAM, 64 B aligned */
	__le64 dma_wb_addr;		/* own RAM, 4 B aligned: engine writes cons (le32) */
	__le32 dma_ring_order;		/* log2(descriptors), MIN..MAX */
	__le32 dma_ctrl;		/* PCV_HW_DMA_CTRL_* */
	__le32 dma_config_gen;		/* bump to make the engine re-latch the ring */
	__le32 dma_prod;		/* producer index (free running) */
	__le64 reserved1[4];
	/* 0x080: scratchpads, written by this blade, read by every blade */
	__le32 spad[PCV_HW_NR_SPADS];
	/* 0x180..0x1000: reserved */
	__u8 reserved2[0x1000 - 0x180];
};

#define PCV_HW_BLADE_BLOCK_OFF		0x1000
#define PCV_HW_BLADE_BLOCK_SIZE		0x1000

/* ------------------------------------------------------------------------
 * Agent DMA engine.  Each blade owns one descriptor ring in its own RAM.
 * Software fills descriptors (status = PENDING), then advances dma_prod and
 * rings the engine (doorbell to engine_peer, any vector).  The engine
 * executes descriptors strictly in ring order, one at a time, and for each:
 * copies/updates the target, makes that globally visible, writes status
 * (last field of the descriptor), writes its consumer index to dma_wb_addr
 * and, if F_IRQ is set, rings the submitting blade's PCV_HW_VEC_DMA.
 */
#define PCV_HW_DMA_OP_NOP		0	/* completes; for IRQ/ordering markers */
#define PCV_HW_DMA_OP_COPY		1	/* len bytes src -> dst */
#define PCV_HW_DMA_OP_WRITE_IMM		2	/* len (1,2,4,8) bytes of operand0 -> dst */
#define PCV_HW_DMA_OP_FETCH_ADD		3	/* *dst += operand0; old -> src (8 B) */
#define PCV_HW_DMA_OP_CMP_SWAP		4	/* if *dst == operand0 then *dst = operand1;
						 * old -> src (8 B) */
#define PCV_HW_DMA_OP_MAX		4

#define PCV_HW_DMA_F_IRQ		(1U << 0)	/* ring VEC_DMA after completion */
#define PCV_HW_DMA_F_FENCE		(1U << 1)	/* start after all earlier ones completed */
#define PCV_HW_DMA_F_ALL		(PCV_HW_DMA_F_IRQ | PCV_HW_DMA_F_FENCE)

#define PCV_HW_DMA_MAX_LEN		(1U << 24)	/* 16 MiB per descriptor */

/* Descriptor status, written by the engine as the last store. */
#define PCV_HW_DMA_ST_PENDING		0x0000
#define PCV_HW_DMA_ST_OK		0x0001
#define PCV_HW_DMA_ST_ERR_OPCODE	0x8001	/* unknown opcode */
#define PCV_HW_DMA_ST_ERR_RESERVED	0x8002	/* reserved field or flag set */
#define PCV_HW_DMA_ST_ERR_LEN		0x8003	/* length 0, too long or wrong for op */
#define PCV_HW_DMA_ST_ERR_BLADE		0x8004	/* blade id >= nr_blades */
#define PCV_HW_DMA_ST_ERR_ABSENT	0x8005	/* target blade is not present */
#define PCV_HW_DMA_ST_ERR_RANGE		0x8006	/* address range outside blade RAM */
#define PCV_HW_DMA_ST_ERR_ALIGN		0x8007	/* atomic target/result not 8 B aligned */

struct pcv_hw_dma_desc {
	__le16 opcode;			/* PCV_HW_DMA_OP_* */
	__le16 flags;			/* PCV_HW_DMA_F_* */
	__le32 len;			/* bytes */
	__u8 src_blade;			/* blade owning src_addr */
	__u8 dst_blade;			/* blade owning dst_addr */
	__le16 reserved0;		/* must be zero */
	__le32 reserved1;		/* must be zero */
	__le64 src_addr;		/* physical address in src_blade's RAM */
	__le64 dst_addr;		/* physical address in dst_blade's RAM */
	__le64 operand0;		/* WRITE_IMM value, FETCH_ADD addend, CMP_SWAP compare */
	__le64 operand1;		/* CMP_SWAP swap value */
	__le64 cookie;			/* software's, never touched by the engine */
	__le32 status;			/* PCV_HW_DMA_ST_*, written last */
	__le32 reserved2;		/* must be zero */
};

/* Layout checks: these structures are an ABI between separate programs. */
#ifdef __cplusplus
#define PCV_HW_STATIC_ASSERT static_assert
#elif defined(__KERNEL__)
#define PCV_HW_STATIC_ASSERT(e, m) _Static_assert(e, m)
#else
#define PCV_HW_STATIC_ASSERT(e, m) _Static_assert(e, m)
#endif

PCV_HW_STATIC_ASSERT(sizeof(struct pcv_hw_ctrl_hdr) == 176, "ctrl hdr size");
PCV_HW_STATIC_ASSERT(__builtin_offsetof(struct pcv_hw_ctrl_hdr, window_slot) == 48,
		     "window_slot offset");
PCV_HW_STATIC_ASSERT(sizeof(struct pcv_hw_blade_regs) == PCV_HW_BLADE_BLOCK_SIZE,
		     "blade block size");
PCV_HW_STATIC_ASSERT(__builtin_offsetof(struct pcv_hw_blade_regs, dma_ring_base) == 0x40,
		     "dma regs offset");
PCV_HW_STATIC_ASSERT(__builtin_offsetof(struct pcv_hw_blade_regs, spad) == 0x80,
		     "spad offset");
PCV_HW_STATIC_ASSERT(sizeof(struct pcv_hw_dma_desc) == 64, "dma descriptor size");
PCV_HW_STATIC_ASSERT(__builtin_offsetof(struct pcv_hw_dma_desc, status) == 56,
		     "dma status offset");
PCV_HW_STATIC_ASSERT(PCV_HW_BLADE_BLOCK_OFF + PCV_HW_MAX_BLADES * PCV_HW_BLADE_BLOCK_SIZE <=
		     PCV_HW_CTRL_SIZE, "control region too small");

#endif /* PCV_CHASSIS_HW_H */
