// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs backend for the emulated chassis (docs/dma-engine.md).
 *
 * The fabric device is the doorbell function (ivshmem-doorbell: MSI-X, BAR0
 * registers, BAR2 = the chassis control region).  Windows onto peers are
 * companion functions (ivshmem-plain, BAR2 = a peer's RAM) in the PCI slots
 * the control region names; we claim their BAR2 when we probe the doorbell
 * function.  On a real NTB the windows would be BARs of the one function.
 *
 * The control region is shared by every blade: its contents are validated
 * before use and only our own register block is ever written.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/interrupt.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/log2.h>
#include "pcv.h"
#include "pcv_chassis_hw.h"

#define PCV_CH_DMA_ORDER	10	/* 1024 descriptors */
#define PCV_CH_MIN_RAM		(64ULL << 20)
#define PCV_CH_MAX_RAM		(64ULL << 30)

struct pcv_chassis;

struct pcv_chassis_vec {
	struct pcv_chassis *ch;
	unsigned int hw_vec;
};

struct pcv_chassis {
	struct pci_dev *pdev;
	void __iomem *regs;			/* BAR0 of the doorbell function */
	void __iomem *ctrl;			/* BAR2: control region */
	struct pcv_hw_blade_regs __iomem *me;	/* our register block */
	struct pcv_hw_ctrl_hdr hdr;		/* validated copy of the header */
	u32 blade_id;
	u32 nr_blades;
	u64 ram_size;
	u32 block_off;
	u32 block_size;

	struct pci_dev *win_pdev[PCV_HW_MAX_BLADES];
	void __iomem *win[PCV_HW_MAX_BLADES];

	struct pcv_chassis_vec vecs[PCV_HW_NR_VECTORS];
	struct pcv_dev *pcv;			/* the core, from alloc to free */

	/*
	 * DMA ring.  dma_lock protects prod, cons, shadow[] and descriptor
	 * writes; taken from any context (submit), so irqsave.
	 */
	spinlock_t dma_lock;
	struct pcv_hw_dma_desc *ring;
	u64 ring_addr;
	size_t ring_bytes;			/* descriptors + write-back word */
	__le32 *wb;				/* engine's consumer index */
	u32 prod;
	u32 cons;
	bool dma_broken;			/* engine misbehaved: no more submits */
	bool dma_stopped;			/* flushed: no more submits */
	bool dma_idle;				/* engine had finished when stopped */
	struct pcv_dma_req **shadow;
};

static struct pcv_hw_blade_regs __iomem *pcv_ch_block(struct pcv_chassis *ch, u32 blade)
{
	return ch->ctrl + ch->block_off + (size_t)blade * ch->block_size;
}

/* ---- backend ops --------------------------------------------------------- */

static void pcv_ch_get_info(void *priv, struct pcv_backend_info *info)
{
	struct pcv_chassis *ch = priv;

	info->blade_id = ch->blade_id;
	info->nr_blades = ch->nr_blades;
	info->peer_mem_size = ch->ram_size;
	info->hw_version = (u32)le16_to_cpu(ch->hdr.version_major) << 16 |
			   le16_to_cpu(ch->hdr.version_minor);
	info->fabric_id = le32_to_cpu(ch->hdr.chassis_id);
	info->nr_spads = PCV_HW_NR_SPADS;
}

static bool pcv_ch_peer_present(void *priv, u32 peer, u32 *generation)
{
	struct pcv_chassis *ch = priv;
	struct pcv_hw_blade_regs __iomem *b;

	if (peer >= ch->nr_blades)
		return false;
	b = pcv_ch_block(ch, peer);
	*generation = readl(&b->generation);
	return readl(&b->present) == PCV_HW_PRESENT;
}

static void __iomem *pcv_ch_peer_window(void *priv, u32 peer, u64 *size, phys_addr_t *phys)
{
	struct pcv_chassis *ch = priv;

	if (peer >= ch->nr_blades || !ch->win[peer])
		return NULL;
	*size = ch->ram_size;
	*phys = pci_resource_start(ch->win_pdev[peer], PCV_HW_BAR_MEM);
	return ch->win[peer];
}

static void pcv_ch_ring(struct pcv_chassis *ch, u32 peer, u32 hw_vec)
{
	writel(PCV_HW_DOORBELL_VAL(peer, hw_vec), ch->regs + PCV_HW_REG_DOORBELL);
}

static void pcv_ch_ring_peer(void *priv, u32 peer, u32 vector)
{
	struct pcv_chassis *ch = priv;

	if (peer >= ch->nr_blades)
		return;
	pcv_ch_ring(ch, peer, vector == PCV_VEC_DATA ? PCV_HW_VEC_DATA : PCV_HW_VEC_LINK);
}

static u32 pcv_ch_spad_read(void *priv, u32 blade, u32 idx)
{
	struct pcv_chassis *ch = priv;

	if (blade >= ch->nr_blades || idx >= PCV_HW_NR_SPADS)
		return 0;
	return readl(&pcv_ch_block(ch, blade)->spad[idx]);
}

static void pcv_ch_spad_write(void *priv, u32 idx, u32 val)
{
	struct pcv_chassis *ch = priv;

	if (idx < PCV_HW_NR_SPADS)
		writel(val, &ch->me->spad[idx]);
}

/*
 * Peers and the agent engine address our RAM by physical address (a window
 * maps RAM offset = physical address), so fabric memory is plain physically
 * contiguous pages and its fabric address is their physical address.  An NTB
 * backend would point its inbound translation at such memory instead.
 */
static void *pcv_ch_alloc_fabric_mem(void *priv, size_t size, u64 *fabric_addr)
{
	void *p = alloc_pages_exact(size, GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN);

	if (p)
		*fabric_addr = virt_to_phys(p);
	return p;
}

static void pcv_ch_free_fabric_mem(void *priv, void *cpu_addr, size_t size)
{
	free_pages_exact(cpu_addr, size);
}

static u64 pcv_ch_page_fabric_addr(void *priv, struct page *page)
{
	return page_to_phys(page);
}

/* Our RAM is all in the direct map; a fabric address is a physical address. */
static void *pcv_ch_local_ptr(void *priv, u64 addr, u64 len)
{
	struct pcv_chassis *ch = priv;

	if (addr >= ch->ram_size || len > ch->ram_size - addr || !pfn_valid(PHYS_PFN(addr)))
		return NULL;
	return phys_to_virt(addr);
}

static int pcv_ch_hw_op(enum pcv_dma_op op)
{
	switch (op) {
	case PCV_DMA_NOP:
		return PCV_HW_DMA_OP_NOP;
	case PCV_DMA_COPY:
		return PCV_HW_DMA_OP_COPY;
	case PCV_DMA_WRITE_IMM:
		return PCV_HW_DMA_OP_WRITE_IMM;
	case PCV_DMA_FETCH_ADD:
		return PCV_HW_DMA_OP_FETCH_ADD;
	case PCV_DMA_CMP_SWAP:
		return PCV_HW_DMA_OP_CMP_SWAP;
	}
	return -EINVAL;
}

static int pcv_ch_dma_submit(void *priv, struct pcv_dma_req **reqs, unsigned int n)
{
	struct pcv_chassis *ch = priv;
	u32 size = 1U << PCV_CH_DMA_ORDER;
	unsigned long flags;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (pcv_ch_hw_op(reqs[i]->op) < 0 ||
		    reqs[i]->flags & ~(PCV_DMA_F_IRQ | PCV_DMA_F_FENCE) ||
		    reqs[i]->src_blade > U8_MAX || reqs[i]->dst_blade > U8_MAX)
			return -EINVAL;
	}

	spin_lock_irqsave(&ch->dma_lock, flags);
	if (ch->dma_broken || ch->dma_stopped || !ch->ring) {
		spin_unlock_irqrestore(&ch->dma_lock, flags);
		return -ENODEV;
	}
	if (n > size - (ch->prod - ch->cons)) {
		spin_unlock_irqrestore(&ch->dma_lock, flags);
		return -ENOSPC;
	}
	for (i = 0; i < n; i++) {
		struct pcv_dma_req *r = reqs[i];
		u32 idx = (ch->prod + i) & (size - 1);
		struct pcv_hw_dma_desc *d = &ch->ring[idx];
		u16 hw_flags = 0;

		if (r->flags & PCV_DMA_F_IRQ)
			hw_flags |= PCV_HW_DMA_F_IRQ;
		if (r->flags & PCV_DMA_F_FENCE)
			hw_flags |= PCV_HW_DMA_F_FENCE;
		d->opcode = cpu_to_le16(pcv_ch_hw_op(r->op));
		d->flags = cpu_to_le16(hw_flags);
		d->len = cpu_to_le32(r->len);
		d->src_blade = r->src_blade;
		d->dst_blade = r->dst_blade;
		d->reserved0 = 0;
		d->reserved1 = 0;
		d->src_addr = cpu_to_le64(r->src_addr);
		d->dst_addr = cpu_to_le64(r->dst_addr);
		d->operand0 = cpu_to_le64(r->operand0);
		d->operand1 = cpu_to_le64(r->operand1);
		d->cookie = cpu_to_le64(ch->prod + i);
		d->status = cpu_to_le32(PCV_HW_DMA_ST_PENDING);
		d->reserved2 = 0;
		ch->shadow[idx] = r;
	}
	ch->prod += n;
	/* writel orders the descriptor stores above before the engine sees prod. */
	writel(ch->prod, &ch->me->dma_prod);
	spin_unlock_irqrestore(&ch->dma_lock, flags);
	/* Kick the engine: it is a doorbell peer; any vector will do. */
	pcv_ch_ring(ch, le16_to_cpu(ch->hdr.engine_peer), 0);
	return 0;
}

static int pcv_ch_status_errno(u32 st)
{
	switch (st) {
	case PCV_HW_DMA_ST_OK:
		return 0;
	case PCV_HW_DMA_ST_ERR_ABSENT:
		return -ENXIO;
	case PCV_HW_DMA_ST_ERR_RANGE:
	case PCV_HW_DMA_ST_ERR_ALIGN:
		return -EFAULT;
	case PCV_HW_DMA_ST_ERR_LEN:
	case PCV_HW_DMA_ST_ERR_BLADE:
	case PCV_HW_DMA_ST_ERR_OPCODE:
	case PCV_HW_DMA_ST_ERR_RESERVED:
		return -EINVAL;
	default:
		return -EIO;
	}
}

static int pcv_ch_dma_reap(void *priv, int budget)
{
	struct pcv_chassis *ch = priv;
	u32 mask = (1U << PCV_CH_DMA_ORDER) - 1;
	unsigned long flags;
	int done = 0;

	spin_lock_irqsave(&ch->dma_lock, flags);
	while (done < budget && ch->ring) {
		u32 hw_cons = le32_to_cpu(READ_ONCE(*ch->wb));
		struct pcv_dma_req *req;
		u32 idx, st;

		/* The engine can only have consumed what we produced. */
		if (hw_cons - ch->cons > ch->prod - ch->cons) {
			if (!ch->dma_broken)
				dev_err(&ch->pdev->dev,
					"DMA engine consumer index %u outside [%u, %u]: engine disabled\n",
					hw_cons, ch->cons, ch->prod);
			ch->dma_broken = true;
			break;
		}
		if (hw_cons == ch->cons)
			break;
		/* Index before status: the engine wrote status before the index. */
		dma_rmb();
		idx = ch->cons & mask;
		st = le32_to_cpu(READ_ONCE(ch->ring[idx].status));
		req = ch->shadow[idx];
		ch->shadow[idx] = NULL;
		ch->cons++;
		spin_unlock_irqrestore(&ch->dma_lock, flags);
		/* A consumed descriptor still PENDING: the engine broke its word. */
		if (req)
			pcv_dma_done(ch->pcv, req, st == PCV_HW_DMA_ST_PENDING ?
				     -EIO : pcv_ch_status_errno(st), st);
		done++;
		spin_lock_irqsave(&ch->dma_lock, flags);
	}
	spin_unlock_irqrestore(&ch->dma_lock, flags);
	return done;
}

/*
 * Let the engine finish what it has (it may be writing into the ring and the
 * memory it names), then disable it and complete the rest as shut down.
 */
static void pcv_ch_dma_flush(void *priv)
{
	struct pcv_chassis *ch = priv;
	unsigned long deadline = jiffies + msecs_to_jiffies(1000);
	u32 mask = (1U << PCV_CH_DMA_ORDER) - 1;
	unsigned long flags;
	bool idle;

	if (!ch->ring || ch->dma_stopped)
		return;
	for (;;) {
		pcv_ch_dma_reap(ch, INT_MAX);
		spin_lock_irqsave(&ch->dma_lock, flags);
		idle = ch->dma_broken || le32_to_cpu(READ_ONCE(*ch->wb)) == ch->prod;
		spin_unlock_irqrestore(&ch->dma_lock, flags);
		if (idle || time_after(jiffies, deadline))
			break;
		msleep(20);
	}
	writel(0, &ch->me->dma_ctrl);
	writel(readl(&ch->me->dma_config_gen) + 1, &ch->me->dma_config_gen);

	spin_lock_irqsave(&ch->dma_lock, flags);
	ch->dma_stopped = true;
	ch->dma_idle = idle;
	while (ch->cons != ch->prod) {
		struct pcv_dma_req *req = ch->shadow[ch->cons & mask];

		ch->shadow[ch->cons & mask] = NULL;
		ch->cons++;
		spin_unlock_irqrestore(&ch->dma_lock, flags);
		if (req)
			pcv_dma_done(ch->pcv, req, -ESHUTDOWN, 0);
		spin_lock_irqsave(&ch->dma_lock, flags);
	}
	spin_unlock_irqrestore(&ch->dma_lock, flags);
}

static void pcv_ch_sync_events(void *priv)
{
	struct pcv_chassis *ch = priv;
	unsigned int i;

	for (i = 0; i < PCV_HW_NR_VECTORS; i++)
		synchronize_irq(pci_irq_vector(ch->pdev, i));
}

static unsigned int pcv_ch_dma_max_len(void *priv)
{
	return PCV_HW_DMA_MAX_LEN;
}

static const struct pcv_backend_ops pcv_chassis_ops = {
	.name = "chassis",
	.alloc_fabric_mem = pcv_ch_alloc_fabric_mem,
	.dma_flush = pcv_ch_dma_flush,
	.dma_max_len = pcv_ch_dma_max_len,
	.dma_reap = pcv_ch_dma_reap,
	.dma_submit = pcv_ch_dma_submit,
	.free_fabric_mem = pcv_ch_free_fabric_mem,
	.get_info = pcv_ch_get_info,
	.local_ptr = pcv_ch_local_ptr,
	.page_fabric_addr = pcv_ch_page_fabric_addr,
	.peer_present = pcv_ch_peer_present,
	.peer_window = pcv_ch_peer_window,
	.ring_peer = pcv_ch_ring_peer,
	.spad_read = pcv_ch_spad_read,
	.spad_write = pcv_ch_spad_write,
	.sync_events = pcv_ch_sync_events,
};

/* ---- probe helpers ------------------------------------------------------- */

static int pcv_ch_check_ctrl(struct pcv_chassis *ch)
{
	struct device *d = &ch->pdev->dev;
	resource_size_t len = pci_resource_len(ch->pdev, PCV_HW_BAR_MEM);
	struct pcv_hw_ctrl_hdr *h = &ch->hdr;
	u32 major, minor, ivpos;

	if (len < PCV_HW_CTRL_SIZE) {
		dev_err(d, "chassis control region is %llu bytes, need %u\n",
			(unsigned long long)len, PCV_HW_CTRL_SIZE);
		return -ENODEV;
	}
	memcpy_fromio(h, ch->ctrl, sizeof(*h));
	if (le64_to_cpu(h->magic) != PCV_HW_CTRL_MAGIC) {
		dev_err(d, "no chassis control region: magic %016llx, expected %016llx\n",
			le64_to_cpu(h->magic), PCV_HW_CTRL_MAGIC);
		return -ENODEV;
	}
	major = le16_to_cpu(h->version_major);
	minor = le16_to_cpu(h->version_minor);
	if (major != PCV_HW_CTRL_VERSION_MAJOR) {
		dev_err(d, "chassis control region version %u.%u unsupported: driver speaks %u.x\n",
			major, minor, PCV_HW_CTRL_VERSION_MAJOR);
		return -EPROTONOSUPPORT;
	}
	ch->nr_blades = le32_to_cpu(h->nr_blades);
	ch->ram_size = le64_to_cpu(h->ram_size);
	ch->block_off = le32_to_cpu(h->blade_block_off);
	ch->block_size = le32_to_cpu(h->blade_block_size);
	if (le32_to_cpu(h->hdr_size) < sizeof(*h) ||
	    le32_to_cpu(h->max_blades) != PCV_HW_MAX_BLADES ||
	    !ch->nr_blades || ch->nr_blades > PCV_HW_MAX_BLADES ||
	    !is_power_of_2(ch->ram_size) || ch->ram_size < PCV_CH_MIN_RAM ||
	    ch->ram_size > PCV_CH_MAX_RAM ||
	    ch->block_size < sizeof(struct pcv_hw_blade_regs) ||
	    ch->block_off < sizeof(*h) ||
	    (u64)ch->block_off + (u64)PCV_HW_MAX_BLADES * ch->block_size > len ||
	    le16_to_cpu(h->nr_vectors) < PCV_HW_NR_VECTORS) {
		dev_err(d, "chassis control region header is inconsistent (blades %u, RAM %llu, blocks %u+%u, vectors %u)\n",
			ch->nr_blades, ch->ram_size, ch->block_off, ch->block_size,
			le16_to_cpu(h->nr_vectors));
		return -EINVAL;
	}
	ivpos = readl(ch->regs + PCV_HW_REG_IVPOSITION);
	if (ivpos >= ch->nr_blades) {
		dev_err(d, "our doorbell id %u is not a blade of this %u-blade chassis\n",
			ivpos, ch->nr_blades);
		return -EINVAL;
	}
	ch->blade_id = ivpos;
	ch->me = pcv_ch_block(ch, ch->blade_id);
	if (readl(&ch->me->present) != PCV_HW_PRESENT) {
		dev_err(d, "chassis does not list blade %u as present\n", ch->blade_id);
		return -ENODEV;
	}
	dev_info(d, "chassis control region v%u.%u: blade %u of %u, %llu MiB RAM per blade\n",
		 major, minor, ch->blade_id, ch->nr_blades, ch->ram_size >> 20);
	return 0;
}

static void pcv_ch_unmap_windows(struct pcv_chassis *ch)
{
	u32 p;

	for (p = 0; p < PCV_HW_MAX_BLADES; p++) {
		struct pci_dev *w = ch->win_pdev[p];

		if (!w)
			continue;
		pci_iounmap(w, ch->win[p]);
		pci_release_region(w, PCV_HW_BAR_MEM);
		pci_disable_device(w);
		pci_dev_put(w);
		ch->win[p] = NULL;
		ch->win_pdev[p] = NULL;
	}
}

/*
 * A missing or wrong window leaves that one peer unreachable (the link to
 * it never comes up); it does not fail the device.
 */
static void pcv_ch_map_window(struct pcv_chassis *ch, u32 peer)
{
	struct device *d = &ch->pdev->dev;
	u8 slot = ch->hdr.window_slot[ch->blade_id][peer];
	struct pci_dev *w;

	if (slot >= 32) {
		dev_warn(d, "control region names no window onto blade %u\n", peer);
		return;
	}
	w = pci_get_slot(ch->pdev->bus, PCI_DEVFN(slot, 0));
	if (!w || w->vendor != PCV_HW_PCI_VENDOR || w->device != PCV_HW_PCI_DEVICE ||
	    pci_resource_len(w, PCV_HW_BAR_MEM) < ch->ram_size) {
		dev_warn(d, "slot %02x holds no %llu MiB window onto blade %u\n", slot,
			 ch->ram_size >> 20, peer);
		goto err_put;
	}
	if (pci_enable_device(w)) {
		dev_warn(d, "cannot enable the window onto blade %u\n", peer);
		goto err_put;
	}
	if (pci_request_region(w, PCV_HW_BAR_MEM, "pcieverbs-window")) {
		dev_warn(d, "window onto blade %u is busy\n", peer);
		goto err_disable;
	}
	/* Posted writes into a peer's RAM: write-combining is what we want. */
	ch->win[peer] = pci_iomap_wc(w, PCV_HW_BAR_MEM, ch->ram_size);
	if (!ch->win[peer]) {
		dev_warn(d, "cannot map the window onto blade %u\n", peer);
		goto err_release;
	}
	ch->win_pdev[peer] = w;
	return;

err_release:
	pci_release_region(w, PCV_HW_BAR_MEM);
err_disable:
	pci_disable_device(w);
err_put:
	pci_dev_put(w);
}

static void pcv_ch_map_windows(struct pcv_chassis *ch)
{
	u32 p;

	for (p = 0; p < ch->nr_blades; p++)
		if (p != ch->blade_id)
			pcv_ch_map_window(ch, p);
}

static irqreturn_t pcv_ch_irq(int irq, void *data)
{
	struct pcv_chassis_vec *v = data;
	struct pcv_dev *pcv = v->ch->pcv;

	switch (v->hw_vec) {
	case PCV_HW_VEC_LINK:
		pcv_dev_event(pcv, PCV_EV_LINK);
		break;
	case PCV_HW_VEC_DMA:
		pcv_dev_event(pcv, PCV_EV_DMA);
		break;
	case PCV_HW_VEC_DATA:
		pcv_dev_event(pcv, PCV_EV_DATA);
		break;
	case PCV_HW_VEC_EVENT:
		pcv_dev_event(pcv, PCV_EV_PRESENCE);
		break;
	}
	return IRQ_HANDLED;
}

static void pcv_ch_free_irqs(struct pcv_chassis *ch, unsigned int n)
{
	while (n--)
		free_irq(pci_irq_vector(ch->pdev, n), &ch->vecs[n]);
	pci_free_irq_vectors(ch->pdev);
}

static int pcv_ch_setup_irqs(struct pcv_chassis *ch)
{
	static const char * const names[PCV_HW_NR_VECTORS] = {
		"pcieverbs-link", "pcieverbs-dma", "pcieverbs-data", "pcieverbs-event",
	};
	unsigned int i;
	int err;

	err = pci_alloc_irq_vectors(ch->pdev, PCV_HW_NR_VECTORS, PCV_HW_NR_VECTORS,
				    PCI_IRQ_MSIX);
	if (err < 0) {
		dev_err(&ch->pdev->dev, "cannot get %u MSI-X vectors: %d\n",
			PCV_HW_NR_VECTORS, err);
		return err;
	}
	for (i = 0; i < PCV_HW_NR_VECTORS; i++) {
		ch->vecs[i].ch = ch;
		ch->vecs[i].hw_vec = i;
		err = request_irq(pci_irq_vector(ch->pdev, i), pcv_ch_irq, 0, names[i],
				  &ch->vecs[i]);
		if (err) {
			pcv_ch_free_irqs(ch, i);
			return err;
		}
	}
	return 0;
}

static int pcv_ch_dma_init(struct pcv_chassis *ch)
{
	u32 n = 1U << PCV_CH_DMA_ORDER;
	u64 wb_addr;

	ch->shadow = kcalloc(n, sizeof(*ch->shadow), GFP_KERNEL);
	if (!ch->shadow)
		return -ENOMEM;
	/* Descriptors, then the 4-byte write-back word on its own cache line. */
	ch->ring_bytes = (size_t)n * sizeof(struct pcv_hw_dma_desc) + 64;
	ch->ring = pcv_ch_alloc_fabric_mem(ch, ch->ring_bytes, &ch->ring_addr);
	if (!ch->ring) {
		kfree(ch->shadow);
		ch->shadow = NULL;
		return -ENOMEM;
	}
	ch->wb = (__le32 *)(ch->ring + n);
	wb_addr = ch->ring_addr + (size_t)n * sizeof(struct pcv_hw_dma_desc);
	ch->prod = 0;
	ch->cons = 0;

	writel(0, &ch->me->dma_ctrl);
	writeq(ch->ring_addr, &ch->me->dma_ring_base);
	writeq(wb_addr, &ch->me->dma_wb_addr);
	writel(PCV_CH_DMA_ORDER, &ch->me->dma_ring_order);
	writel(0, &ch->me->dma_prod);
	/* A new config generation makes the engine re-latch and restart at 0. */
	writel(readl(&ch->me->dma_config_gen) + 1, &ch->me->dma_config_gen);
	writel(PCV_HW_DMA_CTRL_ENABLE, &ch->me->dma_ctrl);
	pcv_ch_ring(ch, le16_to_cpu(ch->hdr.engine_peer), 0);
	return 0;
}

static void pcv_ch_dma_fini(struct pcv_chassis *ch)
{
	pcv_ch_dma_flush(ch);
	if (ch->dma_idle)
		pcv_ch_free_fabric_mem(ch, ch->ring, ch->ring_bytes);
	else
		dev_warn(&ch->pdev->dev, "DMA engine still busy: leaking its ring\n");
	ch->ring = NULL;
	kfree(ch->shadow);
	ch->shadow = NULL;
}

/* ---- PCI driver ---------------------------------------------------------- */

static int pcv_ch_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct pcv_chassis *ch;
	int err;

	/* Windows (ivshmem-plain) have no MSI-X; only the doorbell function does. */
	if (!pdev->msix_cap)
		return -ENODEV;

	ch = kzalloc(sizeof(*ch), GFP_KERNEL);
	if (!ch)
		return -ENOMEM;
	ch->pdev = pdev;
	spin_lock_init(&ch->dma_lock);
	pci_set_drvdata(pdev, ch);

	err = pci_enable_device(pdev);
	if (err)
		goto err_free;
	err = pci_request_regions(pdev, PCV_DRV_NAME);
	if (err)
		goto err_disable;
	/* MSI-X messages are bus-master writes: without this they are dropped. */
	pci_set_master(pdev);
	ch->regs = pci_iomap(pdev, PCV_HW_BAR_REGS, 0);
	ch->ctrl = pci_iomap(pdev, PCV_HW_BAR_MEM, 0);
	if (!ch->regs || !ch->ctrl) {
		dev_err(&pdev->dev, "cannot map the doorbell function's BARs\n");
		err = -ENOMEM;
		goto err_unmap_bars;
	}
	err = pcv_ch_check_ctrl(ch);
	if (err)
		goto err_unmap_bars;
	pcv_ch_map_windows(ch);

	ch->pcv = pcv_dev_alloc(&pcv_chassis_ops, ch, &pdev->dev);
	if (IS_ERR(ch->pcv)) {
		err = PTR_ERR(ch->pcv);
		goto err_unmap_windows;
	}
	err = pcv_ch_setup_irqs(ch);
	if (err)
		goto err_free_core;
	err = pcv_ch_dma_init(ch);
	if (err)
		goto err_free_irqs;
	err = pcv_dev_register(ch->pcv);
	if (err)
		goto err_dma_fini;
	return 0;

err_dma_fini:
	pcv_ch_dma_fini(ch);
err_free_irqs:
	pcv_ch_free_irqs(ch, PCV_HW_NR_VECTORS);
err_free_core:
	pcv_dev_free(ch->pcv);
err_unmap_windows:
	pcv_ch_unmap_windows(ch);
err_unmap_bars:
	if (ch->ctrl)
		pci_iounmap(pdev, ch->ctrl);
	if (ch->regs)
		pci_iounmap(pdev, ch->regs);
	pci_clear_master(pdev);
	pci_release_regions(pdev);
err_disable:
	pci_disable_device(pdev);
err_free:
	kfree(ch);
	return err;
}

static void pcv_ch_remove(struct pci_dev *pdev)
{
	struct pcv_chassis *ch = pci_get_drvdata(pdev);

	pcv_dev_unregister(ch->pcv);	/* flushes our DMA engine first */
	pcv_ch_dma_fini(ch);
	pcv_ch_free_irqs(ch, PCV_HW_NR_VECTORS);
	pcv_dev_free(ch->pcv);
	pcv_ch_unmap_windows(ch);
	pci_iounmap(pdev, ch->ctrl);
	pci_iounmap(pdev, ch->regs);
	pci_clear_master(pdev);
	pci_release_regions(pdev);
	pci_disable_device(pdev);
	kfree(ch);
}

static const struct pci_device_id pcv_ch_ids[] = {
	{ PCI_DEVICE(PCV_HW_PCI_VENDOR, PCV_HW_PCI_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, pcv_ch_ids);

static struct pci_driver pcv_ch_driver = {
	.name = PCV_DRV_NAME,
	.id_table = pcv_ch_ids,
	.probe = pcv_ch_probe,
	.remove = pcv_ch_remove,
};

int pcv_chassis_init(void)
{
	return pci_register_driver(&pcv_ch_driver);
}

void pcv_chassis_exit(void)
{
	pci_unregister_driver(&pcv_ch_driver);
}
