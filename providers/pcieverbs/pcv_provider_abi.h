/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The part of libibverbs' *private* provider ABI (rdma-core v44, provider
 * ABI 34, symbols versioned IBVERBS_PRIVATE_34) that libpcieverbs uses.
 *
 * Why this file exists: Debian bookworm's libibverbs-dev installs only the
 * public headers (verbs.h, verbs_api.h, ...), not rdma-core's driver.h or
 * kern-abi.h, so an out-of-tree provider has to state the private ABI
 * itself.  These are our own declarations of the layouts libibverbs.so.1
 * (44.0) was compiled with.  Nothing here is negotiated at run time: a
 * wrong offset is silent memory corruption.  Hence:
 *
 *   - every struct declared here has its size and the offset of every
 *     member we (or libibverbs, on our behalf) touch pinned by
 *     _Static_assert at the bottom of this file (x86_64 values);
 *   - tests/pcv_abi_xcheck.c compiles these declarations side by side with
 *     rdma-core v44's own driver.h / kern-abi.h and asserts that every
 *     member offset, size, enum value and op signature is identical;
 *   - tests/pcv_binary_layout.c checks the layouts against Debian's
 *     installed libibverbs.so.1 at run time (what the library writes into
 *     verbs_sysfs_dev / verbs_device, how verbs_set_ops() reads
 *     verbs_context_ops).
 *
 * Names: the structs carry a pcv_ prefix (so they can never clash with a
 * real driver.h, and so the cross-check can include both), but keep
 * rdma-core's member names so the cross-check can compare member by member.
 *
 * Declare only what is used; when a later stage needs another private
 * struct or ibv_cmd_* helper, add it here together with its checks.
 * If libibverbs' private ABI number changes (IBVERBS_PRIVATE_35, a
 * different verbs_register_driver_NN), these layouts must be re-derived:
 * the link against verbs_register_driver_34 then fails instead of
 * loading a provider with wrong layouts.
 */
#ifndef PCV_PROVIDER_ABI_H
#define PCV_PROVIDER_ABI_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <infiniband/verbs.h>
#include <rdma/ib_user_verbs.h>

/* The provider ABI this file describes: the 34 in IBVERBS_PRIVATE_34,
 * verbs_register_driver_34 and lib<name>-rdmav34.so.
 */
#define PCV_IBVERBS_PABI_VERSION	34

/* ccan/list's list_node, as embedded in the structs below. */
struct pcv_list_node {
	struct pcv_list_node *next, *prev;
};

/* ------------------------------------------------------------------------
 * Device matching (libibverbs init.c: match_driver_id, match_name,
 * match_modalias_device).
 */
enum {
	PCV_VERBS_MATCH_SENTINEL	= 0,	/* ends a match table */
	PCV_VERBS_MATCH_PCI		= 1,
	PCV_VERBS_MATCH_MODALIAS	= 2,	/* fnmatch() pattern in u.modalias */
	PCV_VERBS_MATCH_DRIVER_ID	= 3,
};

struct pcv_verbs_match_ent {
	void *driver_data;
	union {
		const char *modalias;
		uint64_t driver_id;
	} u;
	uint16_t vendor;
	uint16_t device;
	uint8_t kind;				/* PCV_VERBS_MATCH_* */
};

/* verbs_sysfs_dev.flags */
enum {
	PCV_VSYSFS_READ_MODALIAS	= 1 << 0,
	PCV_VSYSFS_READ_NODE_GUID	= 1 << 1,
};

/* One uverbs device as discovered by libibverbs (netlink or sysfs),
 * handed to match_device() and alloc_device(); libibverbs owns it.
 */
struct pcv_verbs_sysfs_dev {
	struct pcv_list_node entry;
	void *provider_data;
	const struct pcv_verbs_match_ent *match;	/* table entry that matched */
	unsigned int flags;			/* PCV_VSYSFS_READ_* */
	char sysfs_name[IBV_SYSFS_NAME_MAX];	/* "uverbs0" */
	dev_t sysfs_cdev;
	char ibdev_name[IBV_SYSFS_NAME_MAX];	/* "pciev0" */
	char ibdev_path[IBV_SYSFS_PATH_MAX];	/* <sysfs>/class/infiniband/pciev0 */
	char modalias[512];
	uint64_t node_guid;
	uint32_t driver_id;			/* enum rdma_driver_id */
	enum ibv_node_type node_type;
	int ibdev_idx;				/* -1 when found through sysfs */
	uint32_t num_ports;
	uint32_t abi_ver;			/* the device's uverbs_abi_ver */
	struct timespec time_created;
};

struct pcv_verbs_device;

/* What a provider registers.  Only name, the ABI range, match_table,
 * match_device, alloc_context, alloc_device and uninit_device are used by
 * dynamically loaded providers; static_providers is for static builds.
 */
struct pcv_verbs_device_ops {
	const char *name;

	uint32_t match_min_abi_version;
	uint32_t match_max_abi_version;
	const struct pcv_verbs_match_ent *match_table;
	const struct pcv_verbs_device_ops **static_providers;

	bool (*match_device)(struct pcv_verbs_sysfs_dev *sysfs_dev);

	struct verbs_context *(*alloc_context)(struct ibv_device *device,
					       int cmd_fd, void *private_data);
	struct verbs_context *(*import_context)(struct ibv_device *device,
						int cmd_fd);

	struct pcv_verbs_device *(*alloc_device)(struct pcv_verbs_sysfs_dev *sysfs_dev);
	void (*uninit_device)(struct pcv_verbs_device *device);
};

/* The provider's device object; libibverbs fills everything but what the
 * provider wraps around it.  struct ibv_device must be first: libibverbs
 * converts between the two by a cast (container_of at offset 0).
 */
struct pcv_verbs_device {
	struct ibv_device device;
	const struct pcv_verbs_device_ops *ops;
	atomic_int refcount;
	struct pcv_list_node entry;
	struct pcv_verbs_sysfs_dev *sysfs;
	uint64_t core_support;
};

/* ------------------------------------------------------------------------
 * Memory regions: libibverbs' ibv_dereg_mr()/ibv_rereg_mr() read mr_type
 * and access behind the struct ibv_mr the provider returns, so every MR a
 * provider hands out must be embedded in this wrapper.  Declared now
 * because verbs_context_ops' dereg_mr/rereg_mr take it.
 */
enum pcv_ibv_mr_type {
	PCV_IBV_MR_TYPE_MR,
	PCV_IBV_MR_TYPE_NULL_MR,
	PCV_IBV_MR_TYPE_IMPORTED_MR,
	PCV_IBV_MR_TYPE_DMABUF_MR,
};

struct pcv_verbs_mr {
	struct ibv_mr ibv_mr;
	enum pcv_ibv_mr_type mr_type;
	int access;
};

/* ------------------------------------------------------------------------
 * Queue pairs: libibverbs' ibv_qp_to_qp_ex() casts any ibv_qp to
 * verbs_qp and reads comp_mask (VERBS_QP_EX says "the ibv_qp_ex
 * interface is valid").  A provider QP that is a bare struct ibv_qp would
 * have its own data read as comp_mask, so ours embed this wrapper with
 * comp_mask 0: ibv_qp_to_qp_ex() then returns NULL ("not supported").
 */
enum {
	PCV_VERBS_QP_XRCD	= 1 << 0,
	PCV_VERBS_QP_EX		= 1 << 1,
};

struct pcv_verbs_qp {
	union {
		struct ibv_qp qp;
		struct ibv_qp_ex qp_ex;
	};
	uint32_t comp_mask;			/* PCV_VERBS_QP_*; 0 for us */
	void *xrcd;				/* struct verbs_xrcd *; unused */
};

/* ------------------------------------------------------------------------
 * Every op a provider can supply, 76 function pointers sorted by name
 * (libibverbs keeps the struct sorted and verbs_set_ops() copies it field by
 * field).  A NULL entry keeps libibverbs' dummy op, which fails with
 * EOPNOTSUPP / ENOSYS.
 */
struct pcv_verbs_context_ops {
	int (*advise_mr)(struct ibv_pd *pd, enum ibv_advise_mr_advice advice,
			 uint32_t flags, struct ibv_sge *sg_list,
			 uint32_t num_sges);
	struct ibv_dm *(*alloc_dm)(struct ibv_context *context,
				   struct ibv_alloc_dm_attr *attr);
	struct ibv_mw *(*alloc_mw)(struct ibv_pd *pd, enum ibv_mw_type type);
	struct ibv_mr *(*alloc_null_mr)(struct ibv_pd *pd);
	struct ibv_pd *(*alloc_parent_domain)(struct ibv_context *context,
					      struct ibv_parent_domain_init_attr *attr);
	struct ibv_pd *(*alloc_pd)(struct ibv_context *context);
	struct ibv_td *(*alloc_td)(struct ibv_context *context,
				   struct ibv_td_init_attr *init_attr);
	void (*async_event)(struct ibv_context *context,
			    struct ibv_async_event *event);
	int (*attach_counters_point_flow)(struct ibv_counters *counters,
					  struct ibv_counter_attach_attr *attr,
					  struct ibv_flow *flow);
	int (*attach_mcast)(struct ibv_qp *qp, const union ibv_gid *gid,
			    uint16_t lid);
	int (*bind_mw)(struct ibv_qp *qp, struct ibv_mw *mw,
		       struct ibv_mw_bind *mw_bind);
	int (*close_xrcd)(struct ibv_xrcd *xrcd);
	void (*cq_event)(struct ibv_cq *cq);
	struct ibv_ah *(*create_ah)(struct ibv_pd *pd, struct ibv_ah_attr *attr);
	struct ibv_counters *(*create_counters)(struct ibv_context *context,
						struct ibv_counters_init_attr *init_attr);
	struct ibv_cq *(*create_cq)(struct ibv_context *context, int cqe,
				    struct ibv_comp_channel *channel,
				    int comp_vector);
	struct ibv_cq_ex *(*create_cq_ex)(struct ibv_context *context,
					  struct ibv_cq_init_attr_ex *init_attr);
	struct ibv_flow *(*create_flow)(struct ibv_qp *qp,
					struct ibv_flow_attr *flow_attr);
	struct ibv_flow_action *(*create_flow_action_esp)(struct ibv_context *context,
							  struct ibv_flow_action_esp_attr *attr);
	struct ibv_qp *(*create_qp)(struct ibv_pd *pd,
				    struct ibv_qp_init_attr *attr);
	struct ibv_qp *(*create_qp_ex)(struct ibv_context *context,
				       struct ibv_qp_init_attr_ex *qp_init_attr_ex);
	struct ibv_rwq_ind_table *(*create_rwq_ind_table)(struct ibv_context *context,
							  struct ibv_rwq_ind_table_init_attr *init_attr);
	struct ibv_srq *(*create_srq)(struct ibv_pd *pd,
				      struct ibv_srq_init_attr *srq_init_attr);
	struct ibv_srq *(*create_srq_ex)(struct ibv_context *context,
					 struct ibv_srq_init_attr_ex *srq_init_attr_ex);
	struct ibv_wq *(*create_wq)(struct ibv_context *context,
				    struct ibv_wq_init_attr *wq_init_attr);
	int (*dealloc_mw)(struct ibv_mw *mw);
	int (*dealloc_pd)(struct ibv_pd *pd);
	int (*dealloc_td)(struct ibv_td *td);
	int (*dereg_mr)(struct pcv_verbs_mr *vmr);
	int (*destroy_ah)(struct ibv_ah *ah);
	int (*destroy_counters)(struct ibv_counters *counters);
	int (*destroy_cq)(struct ibv_cq *cq);
	int (*destroy_flow)(struct ibv_flow *flow);
	int (*destroy_flow_action)(struct ibv_flow_action *action);
	int (*destroy_qp)(struct ibv_qp *qp);
	int (*destroy_rwq_ind_table)(struct ibv_rwq_ind_table *rwq_ind_table);
	int (*destroy_srq)(struct ibv_srq *srq);
	int (*destroy_wq)(struct ibv_wq *wq);
	int (*detach_mcast)(struct ibv_qp *qp, const union ibv_gid *gid,
			    uint16_t lid);
	void (*free_context)(struct ibv_context *context);
	int (*free_dm)(struct ibv_dm *dm);
	int (*get_srq_num)(struct ibv_srq *srq, uint32_t *srq_num);
	struct ibv_dm *(*import_dm)(struct ibv_context *context,
				    uint32_t dm_handle);
	struct ibv_mr *(*import_mr)(struct ibv_pd *pd, uint32_t mr_handle);
	struct ibv_pd *(*import_pd)(struct ibv_context *context,
				    uint32_t pd_handle);
	int (*modify_cq)(struct ibv_cq *cq, struct ibv_modify_cq_attr *attr);
	int (*modify_flow_action_esp)(struct ibv_flow_action *action,
				      struct ibv_flow_action_esp_attr *attr);
	int (*modify_qp)(struct ibv_qp *qp, struct ibv_qp_attr *attr,
			 int attr_mask);
	int (*modify_qp_rate_limit)(struct ibv_qp *qp,
				    struct ibv_qp_rate_limit_attr *attr);
	int (*modify_srq)(struct ibv_srq *srq, struct ibv_srq_attr *srq_attr,
			  int srq_attr_mask);
	int (*modify_wq)(struct ibv_wq *wq, struct ibv_wq_attr *wq_attr);
	struct ibv_qp *(*open_qp)(struct ibv_context *context,
				  struct ibv_qp_open_attr *attr);
	struct ibv_xrcd *(*open_xrcd)(struct ibv_context *context,
				      struct ibv_xrcd_init_attr *xrcd_init_attr);
	int (*poll_cq)(struct ibv_cq *cq, int num_entries, struct ibv_wc *wc);
	int (*post_recv)(struct ibv_qp *qp, struct ibv_recv_wr *wr,
			 struct ibv_recv_wr **bad_wr);
	int (*post_send)(struct ibv_qp *qp, struct ibv_send_wr *wr,
			 struct ibv_send_wr **bad_wr);
	int (*post_srq_ops)(struct ibv_srq *srq, struct ibv_ops_wr *op,
			    struct ibv_ops_wr **bad_op);
	int (*post_srq_recv)(struct ibv_srq *srq, struct ibv_recv_wr *recv_wr,
			     struct ibv_recv_wr **bad_recv_wr);
	int (*query_device_ex)(struct ibv_context *context,
			       const struct ibv_query_device_ex_input *input,
			       struct ibv_device_attr_ex *attr,
			       size_t attr_size);
	int (*query_ece)(struct ibv_qp *qp, struct ibv_ece *ece);
	int (*query_port)(struct ibv_context *context, uint8_t port_num,
			  struct ibv_port_attr *port_attr);
	int (*query_qp)(struct ibv_qp *qp, struct ibv_qp_attr *attr,
			int attr_mask, struct ibv_qp_init_attr *init_attr);
	int (*query_qp_data_in_order)(struct ibv_qp *qp, enum ibv_wr_opcode op,
				      uint32_t flags);
	int (*query_rt_values)(struct ibv_context *context,
			       struct ibv_values_ex *values);
	int (*query_srq)(struct ibv_srq *srq, struct ibv_srq_attr *srq_attr);
	int (*read_counters)(struct ibv_counters *counters,
			     uint64_t *counters_value, uint32_t ncounters,
			     uint32_t flags);
	struct ibv_mr *(*reg_dm_mr)(struct ibv_pd *pd, struct ibv_dm *dm,
				    uint64_t dm_offset, size_t length,
				    unsigned int access);
	struct ibv_mr *(*reg_dmabuf_mr)(struct ibv_pd *pd, uint64_t offset,
					size_t length, uint64_t iova,
					int fd, int access);
	struct ibv_mr *(*reg_mr)(struct ibv_pd *pd, void *addr, size_t length,
				 uint64_t hca_va, int access);
	int (*req_notify_cq)(struct ibv_cq *cq, int solicited_only);
	int (*rereg_mr)(struct pcv_verbs_mr *vmr, int flags, struct ibv_pd *pd,
			void *addr, size_t length, int access);
	int (*resize_cq)(struct ibv_cq *cq, int cqe);
	int (*set_ece)(struct ibv_qp *qp, struct ibv_ece *ece);
	void (*unimport_dm)(struct ibv_dm *dm);
	void (*unimport_mr)(struct ibv_mr *mr);
	void (*unimport_pd)(struct ibv_pd *pd);
};

/* ------------------------------------------------------------------------
 * Command wrappers taken by the ibv_cmd_* helpers: the uverbs write() header
 * followed by the core command from the public <rdma/ib_user_verbs.h>.  The
 * provider's own driver data (pcieverbs-abi.h) must start exactly at
 * sizeof(wrapper) in the request and at sizeof(core response) in the
 * response: libibverbs passes everything past those points to the kernel
 * as udata, and on the ioctl path it places the write header in front of
 * the driver data ("headroom"), so no padding may sit in between.
 */
struct pcv_cmd_get_context {
	struct ib_uverbs_cmd_hdr hdr;
	struct ib_uverbs_get_context core_payload;
};

struct pcv_cmd_query_port {
	struct ib_uverbs_cmd_hdr hdr;
	struct ib_uverbs_query_port core_payload;
};

struct pcv_cmd_alloc_pd {
	struct ib_uverbs_cmd_hdr hdr;
	struct ib_uverbs_alloc_pd core_payload;
};

struct pcv_cmd_create_cq {
	struct ib_uverbs_cmd_hdr hdr;
	struct ib_uverbs_create_cq core_payload;
};

struct pcv_cmd_resize_cq {
	struct ib_uverbs_cmd_hdr hdr;
	struct ib_uverbs_resize_cq core_payload;
};

struct pcv_cmd_create_qp {
	struct ib_uverbs_cmd_hdr hdr;
	struct ib_uverbs_create_qp core_payload;
};

struct pcv_cmd_modify_qp {
	struct ib_uverbs_cmd_hdr hdr;
	struct ib_uverbs_modify_qp core_payload;
};

struct pcv_cmd_query_qp {
	struct ib_uverbs_cmd_hdr hdr;
	struct ib_uverbs_query_qp core_payload;
};

struct pcv_cmd_create_srq {
	struct ib_uverbs_cmd_hdr hdr;
	struct ib_uverbs_create_srq core_payload;
};

struct pcv_cmd_modify_srq {
	struct ib_uverbs_cmd_hdr hdr;
	struct ib_uverbs_modify_srq core_payload;
};

struct pcv_cmd_query_srq {
	struct ib_uverbs_cmd_hdr hdr;
	struct ib_uverbs_query_srq core_payload;
};

struct pcv_cmd_reg_mr {
	struct ib_uverbs_cmd_hdr hdr;
	struct ib_uverbs_reg_mr core_payload;
};

/* ------------------------------------------------------------------------
 * Logging (libibverbs' VERBS_LOG_LEVEL / VERBS_LOG_FILE machinery).
 */
enum {
	PCV_VERBS_LOG_LEVEL_NONE,
	PCV_VERBS_LOG_ERR,
	PCV_VERBS_LOG_WARN,
	PCV_VERBS_LOG_INFO,
	PCV_VERBS_LOG_DEBUG,
};

/* ------------------------------------------------------------------------
 * Functions exported by libibverbs.so.1 with version IBVERBS_PRIVATE_34.
 * (Left out of the cross-check build, where rdma-core's own prototypes
 * with rdma-core's struct names are in scope.)
 */
#ifndef PCV_ABI_XCHECK
void verbs_register_driver_34(const struct pcv_verbs_device_ops *ops);

/* Allocates alloc_size zeroed bytes, initialises the verbs_context found
 * context_offset bytes in (the pointer value *is* the offset) and takes
 * ownership of cmd_fd: on failure it closes cmd_fd and returns NULL.
 */
void *_verbs_init_and_alloc_context(struct ibv_device *device, int cmd_fd,
				    size_t alloc_size,
				    struct verbs_context *context_offset,
				    uint32_t driver_id);
void verbs_uninit_context(struct verbs_context *context);
void verbs_set_ops(struct verbs_context *vctx,
		   const struct pcv_verbs_context_ops *ops);

void __verbs_log(struct verbs_context *ctx, uint32_t level,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* All return 0 or a positive errno. */
int ibv_cmd_get_context(struct verbs_context *context,
			struct pcv_cmd_get_context *cmd, size_t cmd_size,
			struct ib_uverbs_get_context_resp *resp,
			size_t resp_size);
int ibv_cmd_query_device_any(struct ibv_context *context,
			     const struct ibv_query_device_ex_input *input,
			     struct ibv_device_attr_ex *attr, size_t attr_size,
			     struct ib_uverbs_ex_query_device_resp *resp,
			     size_t *resp_size);
int ibv_cmd_query_port(struct ibv_context *context, uint8_t port_num,
		       struct ibv_port_attr *port_attr,
		       struct pcv_cmd_query_port *cmd, size_t cmd_size);
int ibv_cmd_alloc_pd(struct ibv_context *context, struct ibv_pd *pd,
		     struct pcv_cmd_alloc_pd *cmd, size_t cmd_size,
		     struct ib_uverbs_alloc_pd_resp *resp, size_t resp_size);
int ibv_cmd_dealloc_pd(struct ibv_pd *pd);

/* Memory regions.  reg_mr fills vmr (handle, lkey, rkey, context,
 * mr_type, access); libibverbs fills addr, length and pd afterwards.
 */
int ibv_cmd_reg_mr(struct ibv_pd *pd, void *addr, size_t length,
		   uint64_t hca_va, int access, struct pcv_verbs_mr *vmr,
		   struct pcv_cmd_reg_mr *cmd, size_t cmd_size,
		   struct ib_uverbs_reg_mr_resp *resp, size_t resp_size);
int ibv_cmd_dereg_mr(struct pcv_verbs_mr *vmr);

/* Completion queues.  create_cq sets cq->context, handle and cqe (from
 * the core response on the write() path, from the RESP_CQE attribute on
 * the ioctl() path); resize_cq sets cq->cqe.  destroy_cq waits until every
 * event the kernel reported has been acknowledged.
 */
int ibv_cmd_create_cq(struct ibv_context *context, int cqe,
		      struct ibv_comp_channel *channel, int comp_vector,
		      struct ibv_cq *cq, struct pcv_cmd_create_cq *cmd,
		      size_t cmd_size, struct ib_uverbs_create_cq_resp *resp,
		      size_t resp_size);
int ibv_cmd_resize_cq(struct ibv_cq *cq, int cqe,
		      struct pcv_cmd_resize_cq *cmd, size_t cmd_size,
		      struct ib_uverbs_resize_cq_resp *resp, size_t resp_size);
int ibv_cmd_destroy_cq(struct ibv_cq *cq);
int ibv_cmd_req_notify_cq(struct ibv_cq *cq, int solicited_only);
/* Unlike the others: returns the number of completions copied into wc,
 * or -1 (errno from the system call) on failure.
 */
int ibv_cmd_poll_cq(struct ibv_cq *cq, int ne, struct ibv_wc *wc);

/* Queue pairs.  create_qp sets qp->context, handle, qp_num, pd, CQs,
 * srq, qp_type, state and writes the granted capabilities back into
 * attr->cap (both paths).
 */
int ibv_cmd_create_qp(struct ibv_pd *pd, struct ibv_qp *qp,
		      struct ibv_qp_init_attr *attr,
		      struct pcv_cmd_create_qp *cmd, size_t cmd_size,
		      struct ib_uverbs_create_qp_resp *resp, size_t resp_size);
int ibv_cmd_modify_qp(struct ibv_qp *qp, struct ibv_qp_attr *attr,
		      int attr_mask, struct pcv_cmd_modify_qp *cmd,
		      size_t cmd_size);
int ibv_cmd_query_qp(struct ibv_qp *qp, struct ibv_qp_attr *qp_attr,
		     int attr_mask, struct ibv_qp_init_attr *qp_init_attr,
		     struct pcv_cmd_query_qp *cmd, size_t cmd_size);
int ibv_cmd_destroy_qp(struct ibv_qp *qp);
/* Copies the list into a POST_SEND command; with wr == NULL it sends a
 * command carrying no work request (our doorbell).  On failure *bad_wr is
 * set from the kernel's bad_wr count (wr itself when the count is 0).
 */
int ibv_cmd_post_send(struct ibv_qp *ibqp, struct ibv_send_wr *wr,
		      struct ibv_send_wr **bad_wr);

/* Shared receive queues.  create_srq sets srq->context and handle and
 * writes the granted max_wr / max_sge back into attr->attr.
 */
int ibv_cmd_create_srq(struct ibv_pd *pd, struct ibv_srq *srq,
		       struct ibv_srq_init_attr *attr,
		       struct pcv_cmd_create_srq *cmd, size_t cmd_size,
		       struct ib_uverbs_create_srq_resp *resp,
		       size_t resp_size);
int ibv_cmd_modify_srq(struct ibv_srq *srq, struct ibv_srq_attr *srq_attr,
		       int srq_attr_mask, struct pcv_cmd_modify_srq *cmd,
		       size_t cmd_size);
int ibv_cmd_query_srq(struct ibv_srq *srq, struct ibv_srq_attr *srq_attr,
		      struct pcv_cmd_query_srq *cmd, size_t cmd_size);
int ibv_cmd_destroy_srq(struct ibv_srq *srq);

/* Address handles (write() CREATE_AH on every kernel: v44 has no ioctl
 * create).  create_ah builds the core command itself from attr and sends
 * no driver request data; resp_size covers the core response (ah_handle)
 * plus our driver response right behind it.  It sets ah->handle and
 * ah->context; libibverbs' ibv_create_ah() sets ah->pd afterwards.
 * destroy_ah uses the native AH_DESTROY method where the kernel has it.
 */
int ibv_cmd_create_ah(struct ibv_pd *pd, struct ibv_ah *ah,
		      struct ibv_ah_attr *attr,
		      struct ib_uverbs_create_ah_resp *resp, size_t resp_size);
int ibv_cmd_destroy_ah(struct ibv_ah *ah);

/* Multicast: ATTACH_MCAST / DETACH_MCAST with the QP's handle, the raw
 * GID and the LID; no driver data either way.
 */
int ibv_cmd_attach_mcast(struct ibv_qp *qp, const union ibv_gid *gid,
			 uint16_t lid);
int ibv_cmd_detach_mcast(struct ibv_qp *qp, const union ibv_gid *gid,
			 uint16_t lid);
#endif /* PCV_ABI_XCHECK */

/* ------------------------------------------------------------------------
 * Layout checks.  The numbers are the x86_64 (LP64) layouts of rdma-core
 * v44.0 as built into Debian's libibverbs.so.1 44.0-2; the README says how
 * each was established.  Other ABIs (e.g. 32-bit) are not supported: fail
 * the build rather than guess.
 */
#define PCV_ABI_ASSERT_SIZE(type, size) \
	_Static_assert(sizeof(type) == (size), "sizeof(" #type ") != " #size)
#define PCV_ABI_ASSERT_OFF(type, member, off) \
	_Static_assert(offsetof(type, member) == (off), \
		       "offsetof(" #type ", " #member ") != " #off)

#if !defined(__x86_64__) || !defined(__LP64__)
#error "pcv_provider_abi.h: layouts are only established for x86_64"
#endif

/* Public types the private ones embed (from verbs.h / ib_user_verbs.h). */
PCV_ABI_ASSERT_SIZE(struct ibv_device, 664);
PCV_ABI_ASSERT_SIZE(struct ibv_mr, 48);
PCV_ABI_ASSERT_SIZE(struct ib_uverbs_cmd_hdr, 8);
PCV_ABI_ASSERT_SIZE(struct ib_uverbs_get_context, 8);
PCV_ABI_ASSERT_SIZE(struct ib_uverbs_get_context_resp, 8);
PCV_ABI_ASSERT_SIZE(struct ib_uverbs_query_port, 16);
PCV_ABI_ASSERT_SIZE(struct ib_uverbs_alloc_pd, 8);
PCV_ABI_ASSERT_SIZE(struct ib_uverbs_alloc_pd_resp, 4);
PCV_ABI_ASSERT_SIZE(struct ib_uverbs_query_device_resp, 176);
PCV_ABI_ASSERT_OFF(struct ib_uverbs_ex_query_device_resp, base, 0);
PCV_ABI_ASSERT_SIZE(struct ib_uverbs_create_cq, 32);
PCV_ABI_ASSERT_SIZE(struct ib_uverbs_create_cq_resp, 8);
PCV_ABI_ASSERT_SIZE(struct ib_uverbs_resize_cq, 16);
PCV_ABI_ASSERT_SIZE(struct ib_uverbs_resize_cq_resp, 8);
PCV_ABI_ASSERT_SIZE(struct ib_uverbs_create_qp, 56);
PCV_ABI_ASSERT_SIZE(struct ib_uverbs_create_qp_resp, 32);
PCV_ABI_ASSERT_SIZE(struct ib_uverbs_modify_qp, 112);
PCV_ABI_ASSERT_SIZE(struct ib_uverbs_query_qp, 16);
PCV_ABI_ASSERT_SIZE(struct ib_uverbs_create_srq, 32);
PCV_ABI_ASSERT_SIZE(struct ib_uverbs_create_srq_resp, 16);
PCV_ABI_ASSERT_SIZE(struct ib_uverbs_modify_srq, 16);
PCV_ABI_ASSERT_SIZE(struct ib_uverbs_query_srq, 16);
PCV_ABI_ASSERT_SIZE(struct ib_uverbs_reg_mr, 40);
PCV_ABI_ASSERT_SIZE(struct ib_uverbs_reg_mr_resp, 12);
PCV_ABI_ASSERT_SIZE(struct ib_uverbs_create_ah_resp, 4);
PCV_ABI_ASSERT_SIZE(struct ibv_ah, 24);
PCV_ABI_ASSERT_SIZE(struct ibv_ah_attr, 32);
PCV_ABI_ASSERT_SIZE(union ibv_gid, 16);
PCV_ABI_ASSERT_SIZE(struct ibv_qp, 160);
PCV_ABI_ASSERT_SIZE(struct ibv_qp_ex, 352);
PCV_ABI_ASSERT_SIZE(dev_t, 8);
PCV_ABI_ASSERT_SIZE(struct timespec, 16);
PCV_ABI_ASSERT_SIZE(atomic_int, 4);

PCV_ABI_ASSERT_SIZE(struct pcv_list_node, 16);

PCV_ABI_ASSERT_SIZE(struct pcv_verbs_match_ent, 24);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_match_ent, driver_data, 0);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_match_ent, u.modalias, 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_match_ent, u.driver_id, 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_match_ent, vendor, 16);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_match_ent, device, 18);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_match_ent, kind, 20);

PCV_ABI_ASSERT_SIZE(struct pcv_verbs_sysfs_dev, 992);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_sysfs_dev, entry, 0);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_sysfs_dev, provider_data, 16);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_sysfs_dev, match, 24);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_sysfs_dev, flags, 32);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_sysfs_dev, sysfs_name, 36);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_sysfs_dev, sysfs_cdev, 104);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_sysfs_dev, ibdev_name, 112);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_sysfs_dev, ibdev_path, 176);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_sysfs_dev, modalias, 432);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_sysfs_dev, node_guid, 944);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_sysfs_dev, driver_id, 952);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_sysfs_dev, node_type, 956);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_sysfs_dev, ibdev_idx, 960);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_sysfs_dev, num_ports, 964);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_sysfs_dev, abi_ver, 968);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_sysfs_dev, time_created, 976);

PCV_ABI_ASSERT_SIZE(struct pcv_verbs_device_ops, 72);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_device_ops, name, 0);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_device_ops, match_min_abi_version, 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_device_ops, match_max_abi_version, 12);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_device_ops, match_table, 16);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_device_ops, static_providers, 24);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_device_ops, match_device, 32);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_device_ops, alloc_context, 40);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_device_ops, import_context, 48);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_device_ops, alloc_device, 56);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_device_ops, uninit_device, 64);

PCV_ABI_ASSERT_SIZE(struct pcv_verbs_device, 712);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_device, device, 0);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_device, ops, 664);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_device, refcount, 672);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_device, entry, 680);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_device, sysfs, 696);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_device, core_support, 704);

PCV_ABI_ASSERT_SIZE(struct pcv_verbs_mr, 56);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_mr, ibv_mr, 0);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_mr, mr_type, 48);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_mr, access, 52);
PCV_ABI_ASSERT_SIZE(enum pcv_ibv_mr_type, 4);

PCV_ABI_ASSERT_SIZE(struct pcv_verbs_qp, 368);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_qp, qp, 0);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_qp, qp_ex, 0);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_qp, comp_mask, 352);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_qp, xrcd, 360);

/* 76 pointers, alphabetical: pin the two ends and every op we set. */
PCV_ABI_ASSERT_SIZE(struct pcv_verbs_context_ops, 76 * sizeof(void *));
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, advise_mr, 0 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, alloc_pd, 5 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, attach_mcast, 9 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, create_ah, 13 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, create_cq, 15 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, create_qp, 19 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, create_srq, 22 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, dealloc_pd, 26 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, dereg_mr, 28 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, destroy_ah, 29 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, destroy_cq, 31 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, destroy_qp, 34 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, destroy_srq, 36 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, detach_mcast, 38 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, free_context, 39 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, modify_qp, 47 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, modify_srq, 49 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, poll_cq, 53 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, post_recv, 54 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, post_send, 55 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, post_srq_recv, 57 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, query_device_ex, 58 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, query_port, 60 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, query_qp, 61 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, query_srq, 64 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, reg_mr, 68 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, req_notify_cq, 69 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, resize_cq, 71 * 8);
PCV_ABI_ASSERT_OFF(struct pcv_verbs_context_ops, unimport_pd, 75 * 8);

/* Command wrappers: header, then the core command, no padding. */
PCV_ABI_ASSERT_SIZE(struct pcv_cmd_get_context, 16);
PCV_ABI_ASSERT_OFF(struct pcv_cmd_get_context, core_payload, 8);
PCV_ABI_ASSERT_OFF(struct pcv_cmd_get_context, core_payload.response, 8);
PCV_ABI_ASSERT_SIZE(struct pcv_cmd_query_port, 24);
PCV_ABI_ASSERT_OFF(struct pcv_cmd_query_port, core_payload, 8);
PCV_ABI_ASSERT_OFF(struct pcv_cmd_query_port, core_payload.port_num, 16);
PCV_ABI_ASSERT_SIZE(struct pcv_cmd_alloc_pd, 16);
PCV_ABI_ASSERT_OFF(struct pcv_cmd_alloc_pd, core_payload, 8);
PCV_ABI_ASSERT_OFF(struct pcv_cmd_alloc_pd, core_payload.response, 8);
#define PCV_ABI_ASSERT_CMD(type, core)					\
	PCV_ABI_ASSERT_SIZE(type, 8 + sizeof(core));			\
	PCV_ABI_ASSERT_OFF(type, core_payload, 8)
PCV_ABI_ASSERT_CMD(struct pcv_cmd_create_cq, struct ib_uverbs_create_cq);
PCV_ABI_ASSERT_CMD(struct pcv_cmd_resize_cq, struct ib_uverbs_resize_cq);
PCV_ABI_ASSERT_CMD(struct pcv_cmd_create_qp, struct ib_uverbs_create_qp);
PCV_ABI_ASSERT_CMD(struct pcv_cmd_modify_qp, struct ib_uverbs_modify_qp);
PCV_ABI_ASSERT_CMD(struct pcv_cmd_query_qp, struct ib_uverbs_query_qp);
PCV_ABI_ASSERT_CMD(struct pcv_cmd_create_srq, struct ib_uverbs_create_srq);
PCV_ABI_ASSERT_CMD(struct pcv_cmd_modify_srq, struct ib_uverbs_modify_srq);
PCV_ABI_ASSERT_CMD(struct pcv_cmd_query_srq, struct ib_uverbs_query_srq);
PCV_ABI_ASSERT_CMD(struct pcv_cmd_reg_mr, struct ib_uverbs_reg_mr);

#endif /* PCV_PROVIDER_ABI_H */
