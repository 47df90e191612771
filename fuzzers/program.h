/* SPDX-License-Identifier: MIT */
/*
 * The one program format every fuzz target reads.
 *
 * A program is a header (the machine: topology and options) and a sequence
 * of operations. It has two forms that round-trip:
 *
 *   binary  what the fuzzing engines mutate. EVERY byte string decodes to a
 *           valid program: values are clamped (modulo their range) into
 *           something the machine accepts, handle references are taken
 *           modulo the handles that exist, and a truncated operation ends
 *           the program. Nothing is ever rejected. Small inputs give small
 *           machines (missing header bytes read as 0, which gives a 1-node,
 *           2-cpu, 2 MiB machine).
 *   text    one line per header field or operation, symbolic names:
 *
 *     slabfuzz-program 2
 *     machine nodes=2 cpus=2 boot=cpu0 max_order=9 section_shift=9 vmemmap_block=2 ...
 *     cpu_nodes node0 node1
 *     range node0 0x0-0x200
 *     zones dma=0x40 dma32=0x100 movable=none
 *     boot running
 *     p0 = alloc_pages GFP_KERNEL|__GFP_ZERO order=2
 *     free p0
 *
 * decode(bytes) -> program -> print -> parse -> encode gives the canonical
 * bytes of the program, and print(parse(text)) == text for canonical text.
 * The binary form starts with the format version byte: 1 decodes as
 * version 1 (no slab_debug field), 3 as version 3, 4 as version 4, every
 * other value as version 2, what it meant before version 3 existed (the encoder writes the
 * program's version, so old inputs keep their meaning). Version 2 added
 * slab_debug (machine line "slab_debug=NAME", bits 3-4 of the binary options
 * byte); version 3 added the ops after slab_double_free (a version 1 or 2
 * program's opcode byte is modulo the older op count, SF_PROG_V2_OPCODES);
 * version 4 the ops corrupt and query; version 5 the cache filter of
 * failslab (its last argument: an argument with since 5 is not in the
 * bytes or the text of an older version, and reads as 0 there).
 */
#ifndef SLABFUZZ_FUZZ_PROGRAM_H
#define SLABFUZZ_FUZZ_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "slabfuzz/slabfuzz.h"

#define SF_PROG_VERSION 5
#define SF_PROG_MIN_VERSION 1
#define SF_PROG_MAX_OPS 256
#define SF_PROG_MAX_ARGS 5
#define SF_PROG_MAX_NODES 4
#define SF_PROG_MAX_CPUS 8
#define SF_PROG_MAX_RANGES 4
#define SF_PROG_RANGE_UNIT 32		/* pages: ranges and holes are multiples */
#define SF_PROG_MAX_RANGE_UNITS 32	/* a range is at most 1024 pages (4 MiB) */
#define SF_PROG_MAX_GAP_UNITS 16	/* a hole before a range is below 512 pages */
#define SF_PROG_BINARY_MAX (16 + SF_PROG_MAX_OPS * 12)

/* The invalid gfp bit the decoder may produce (outside __GFP_BITS_MASK). */
#define SF_GFP_INVALID_BIT 0x40000u

enum sf_handle_kind {
	HK_NONE,
	HK_PAGE,	/* "p": pages from the page allocator */
	HK_MEMBLOCK,	/* "m": boot memory */
	HK_CACHE,	/* "c": a kmem_cache */
	HK_OBJ,		/* "o": a slab object */
	NR_HANDLE_KINDS
};

enum sf_arg_kind {
	ARG_STAGE,	/* boot stage name */
	ARG_GFP,	/* GFP_KERNEL|__GFP_ZERO */
	ARG_NODE,	/* node1, or "any" */
	ARG_CPU,	/* cpu2 */
	ARG_HANDLE,	/* p3, m0, c1, o7 (kind in spec.handle) */
	ARG_SP,		/* sched point name */
	ARG_ENUM,	/* one of spec.names */
	ARG_NUM,	/* key=N, N < spec.mod; 1 byte when mod <= 256 else 2 */
};

struct sf_arg_spec {
	uint8_t kind;		/* enum sf_arg_kind */
	uint8_t handle;		/* ARG_HANDLE: enum sf_handle_kind */
	const char *key;	/* ARG_NUM: the key printed before '=' */
	uint32_t mod;		/* ARG_NUM: values are < mod */
	uint32_t scale;		/* ARG_NUM: printed value = stored * scale (0: 1) */
	const char *const *names; /* ARG_ENUM: NULL-terminated */
	uint8_t since;		/* the format version that added it (0: the op's own) */
};

#define SF_OP_LIST(X)                                                           \
	X(BOOT, "boot")                                                         \
	X(ALLOC_PAGES, "alloc_pages")                                           \
	X(ALLOC_PAGES_NODE, "alloc_pages_node")                                 \
	X(GET_FREE_PAGES, "get_free_pages")                                     \
	X(ALLOC_PAGES_EXACT, "alloc_pages_exact")                               \
	X(FREE, "free")                                                         \
	X(DOUBLE_FREE, "double_free")                                           \
	X(FREE_WRONG_ORDER, "free_wrong_order")                                 \
	X(DRAIN_LOCAL, "drain_local_pages")                                     \
	X(DRAIN_ALL, "drain_all_pages")                                         \
	X(CPU, "cpu")                                                           \
	X(IRQ_DISABLE, "local_irq_disable")                                     \
	X(IRQ_ENABLE, "local_irq_enable")                                       \
	X(IRQ_ENTER, "irq_enter")                                               \
	X(IRQ_EXIT, "irq_exit")                                                 \
	X(PREEMPT_DISABLE, "preempt_disable")                                   \
	X(PREEMPT_ENABLE, "preempt_enable")                                     \
	X(TIMER, "timer_set_pending")                                           \
	X(FAIL_PAGE_ALLOC, "fail_page_alloc")                                   \
	X(FAIL_PAGE_ALLOC_OFF, "fail_page_alloc_off")                           \
	X(CHECK, "check")                                                       \
	X(DUMP, "dump")                                                         \
	X(MEMBLOCK_ALLOC, "memblock_alloc")                                     \
	X(MEMBLOCK_FREE, "memblock_free")                                       \
	X(PFN_WALK, "pfn_walk")                                                 \
	X(IRQ_AT, "irq_at")                                                     \
	X(IRQ_FREE_AT, "irq_free_at")                                           \
	X(RESERVED27, "reserved27")                                             \
	X(CACHE_CREATE, "kmem_cache_create")                                    \
	X(CACHE_DESTROY, "kmem_cache_destroy")                                  \
	X(CACHE_ALLOC, "kmem_cache_alloc")                                      \
	X(CACHE_FREE, "kmem_cache_free")                                        \
	X(KMALLOC, "kmalloc")                                                   \
	X(KZALLOC, "kzalloc")                                                   \
	X(KCALLOC, "kcalloc")                                                   \
	X(KREALLOC, "krealloc")                                                 \
	X(KFREE, "kfree")                                                       \
	X(CACHE_TUNE, "kmem_cache_tune")                                        \
	X(CACHE_SHRINK, "kmem_cache_shrink")                                    \
	X(CACHE_VALIDATE, "kmem_cache_validate")                                \
	X(ATTR_SHOW, "attr_show")                                               \
	X(ATTR_STORE, "attr_store")                                             \
	X(KMALLOC_IRQ_AT, "kmalloc_irq_at")                                     \
	X(FAILSLAB, "failslab")                                                 \
	X(FAILSLAB_OFF, "failslab_off")                                         \
	X(SLAB_DOUBLE_FREE, "slab_double_free")                                 \
	/* version 3 */                                                         \
	X(GET_ZEROED_PAGE, "get_zeroed_page")                                   \
	X(FREE_TAIL, "free_tail_page")                                          \
	X(FREE_RESERVED, "free_reserved_page")                                  \
	X(FREE_FOREIGN, "free_foreign")                                         \
	X(IRQ_SAVE, "local_irq_save")                                           \
	X(IRQ_RESTORE, "local_irq_restore")                                     \
	X(TOPOLOGY_INVALID, "machine_create_invalid")                           \
	X(KFREE_PAGE, "kfree_page")                                             \
	X(KFREE_FOREIGN, "kfree_foreign")                                       \
	X(CACHE_FREE_WRONG, "kmem_cache_free_wrong")                            \
	X(CACHE_FREE_INTERIOR, "kmem_cache_free_interior")                      \
	X(FREE_SLAB_PAGE, "free_slab_page")                                     \
	X(MEMBLOCK_ALLOC_INVALID, "memblock_alloc_invalid")                     \
	X(MEMBLOCK_DOUBLE_FREE, "memblock_double_free")                         \
	X(CACHE_DESTROY_AGAIN, "kmem_cache_destroy_again")                      \
	/* version 4 */                                                         \
	X(CORRUPT, "corrupt")                                                   \
	X(QUERY, "query")

enum sf_opcode {
#define SF_OP_ENUM(id, name) OP_##id,
	SF_OP_LIST(SF_OP_ENUM)
#undef SF_OP_ENUM
	NR_OPCODES
};

/* Versions 1 and 2 have the ops up to slab_double_free: their opcode byte is
 * taken modulo this count, so old inputs keep their meaning. */
#define SF_PROG_V2_OPCODES (OP_SLAB_DOUBLE_FREE + 1)
/* Version 3 has the ops up to kmem_cache_destroy_again. */
#define SF_PROG_V3_OPCODES (OP_CACHE_DESTROY_AGAIN + 1)
/* The ops of a program of version v (their opcode byte is modulo this). */
unsigned int sf_prog_nr_opcodes(unsigned int version);

/*
 * The corruptions of the corrupt op (version 4, fuzzers/interp_canary.c):
 * one per checker invariant or validator that one field of the live state
 * breaks. Append only: a kind's index is its byte in the binary form.
 */
#define SF_CANARY_LIST(X)                                                       \
	X(FREE_ORDER, "free_order")                                             \
	X(FREE_STATE, "free_state")                                             \
	X(FREE_ZONE, "free_zone")                                               \
	X(FREE_COUNT, "free_count")                                             \
	X(ZONE_FREE_PAGES, "zone_free_pages")                                   \
	X(PCP_COUNT, "pcp_count")                                               \
	X(PCP_HIGH, "pcp_high")                                                 \
	X(PCP_PAGE, "pcp_page")                                                 \
	X(REFCOUNT, "refcount")                                                 \
	X(TAIL_FLAG, "tail_flag")                                               \
	X(HEAD_OFFSET, "head_offset")                                           \
	X(NR_ALLOCATED, "nr_allocated")                                         \
	X(MEMBLOCK_NID, "memblock_nid")                                         \
	X(MEMBLOCK_SIZE, "memblock_size")                                       \
	X(MEMBLOCK_BYTES, "memblock_bytes")                                     \
	X(VMEMMAP_REF, "vmemmap_ref")                                           \
	X(SECTION_PRESENT, "section_present")                                   \
	X(GFP_MASK, "gfp_mask")                                                 \
	X(ZONELIST_ORDER, "zonelist_order")                                     \
	X(ZONELIST_DROP, "zonelist_drop")                                       \
	X(NOFALLBACK, "nofallback")                                             \
	X(MANAGED, "managed")                                                   \
	X(WATERMARK, "watermark")                                               \
	X(NODE_STATE, "node_state")                                             \
	X(CPU_MEM_NODE, "cpu_mem_node")                                         \
	X(MEMBLOCK_RETIRED, "memblock_retired")                                 \
	X(QUEUE_BATCH, "queue_batch")                                           \
	X(CACHE_LIMIT, "cache_limit")                                           \
	X(QUEUE_ENTRY, "queue_entry")                                           \
	X(QUEUE_BIT, "queue_bit")                                               \
	X(NODE_ID, "node_id")                                                   \
	X(SLAB_INUSE, "slab_inuse")                                             \
	X(SLAB_BIT, "slab_bit")                                                 \
	X(NODE_COUNTER, "node_counter")                                         \
	X(OBJ_STATE, "obj_state")                                               \
	X(TWICE_QUEUED, "twice_queued")                                         \
	X(CPU_LIVE, "cpu_live")                                                 \
	X(KMALLOC_SWAP, "kmalloc_swap")                                         \
	X(NODE_STRUCT, "node_struct")                                           \
	X(SLAB_MEM_NODE, "slab_mem_node")                                       \
	X(PG_SLAB, "pg_slab")                                                   \
	X(REGISTRY_NAME, "registry_name")                                       \
	X(CACHE_REGISTERED, "cache_registered")                                 \
	X(REDZONE, "redzone")                                                   \
	X(POISON, "poison")                                                     \
	X(VALIDATE_COUNT, "validate_count")                                     \
	X(ZONE_SPAN, "zone_span")                                               \
	X(ZONE_SPANNED, "zone_spanned")                                         \
	X(PAGE_PFN, "page_pfn")                                                 \
	X(HEAD_TAIL, "head_tail")                                               \
	X(PAGE_UNINIT, "page_uninit")                                           \
	X(RESERVED_ORDER, "reserved_order")                                     \
	X(STRAY_FREE, "stray_free")                                             \
	X(PRESENT_PAGES, "present_pages")                                       \
	X(NEAREST_NODE, "nearest_node")                                         \
	X(ZONELIST_DUP, "zonelist_dup")                                         \
	X(MEMBLOCK_CNT, "memblock_cnt")                                         \
	X(MEMBLOCK_ORDER, "memblock_order")                                     \
	X(MEMBLOCK_PAST, "memblock_past")                                       \
	X(RESERVED_NID, "reserved_nid")                                         \
	X(VMEMMAP_BACKING, "vmemmap_backing")                                   \
	X(VMEMMAP_STATE, "vmemmap_state")                                       \
	X(SECTION_PFN, "section_pfn")                                           \
	X(QUEUE_FOREIGN, "queue_foreign")                                       \
	X(QUEUE_NODE, "queue_node")                                             \
	X(QUEUED_STATE, "queued_state")                                         \
	X(SLAB_OBJECTS, "slab_objects")                                         \
	X(SHARED_QUEUE, "shared_queue")                                         \
	X(FREE_MARKED, "free_marked")                                           \
	X(ALIEN_BUFFER, "alien_buffer")                                         \
	X(PG_SLAB_CACHE, "pg_slab_cache")                                       \
	X(REGISTRY_CACHE, "registry_cache")                                     \
	X(REGISTRY_DUP, "registry_dup")                                         \
	X(REGISTRY_COUNT, "registry_count")                                     \
	X(KMALLOC_STRAY, "kmalloc_stray")                                       \
	X(REDZONE_LEFT, "redzone_left")                                         \
	X(POISON_END, "poison_end")                                             \
	X(MEMBLOCK_ARRAY, "memblock_array")                                     \
	X(MEMBLOCK_WRAP, "memblock_wrap")                                       \
	X(MEMBLOCK_NID_NEG, "memblock_nid_neg")                                 \
	X(ZONELIST_EMPTY, "zonelist_empty")                                     \
	X(NOFALLBACK_EXTRA, "nofallback_extra")                                 \
	X(ZONE_PRESENT, "zone_present")                                         \
	X(CPU_NODE, "cpu_node")                                                 \
	X(VMEMMAP_PAGES, "vmemmap_pages")                                       \
	X(QUEUE_AVAIL, "queue_avail")                                           \
	X(SLAB_CACHE, "slab_cache")                                             \
	X(SLAB_LIST, "slab_list")                                               \
	X(NODE_SHARED, "node_shared")                                           \
	X(CACHE_UNLISTED, "cache_unlisted")                                     \
	X(REGISTRY_ALIAS, "registry_alias")                                     \
	X(KMALLOC_FLAG, "kmalloc_flag")                                         \
	X(ALIEN_ENTRY, "alien_entry")                                           \
	X(ALIEN_TWICE, "alien_twice")                                           \
	X(ALIEN_AVAIL, "alien_avail")                                           \
	X(QUEUE_LOCK, "queue_lock")                                             \
	X(QUEUE_REMOTE, "queue_remote")                                         \
	X(REPORT_COUNT, "report_count")                                         \
	X(FREE_TAIL, "free_tail")                                               \
	X(FREE_PG_SLAB, "free_pg_slab")                                         \
	X(FREE_REFCOUNT, "free_refcount")                                       \
	X(FREE_UNPOISONED, "free_unpoisoned")                                   \
	X(ARENA_HEADER, "arena_header")                                         \
	X(SLAB_FULL, "slab_full")                                               \
	X(KMALLOC_ENTRY, "kmalloc_entry")                                       \
	X(SLAB_LIST_SKIP, "slab_list_skip")                                     \
	X(QUEUE_UNLOCK, "queue_unlock")                                         \
	X(OWNER_UNLOCK, "owner_unlock")                                         \
	X(QUEUE_RELOCK, "queue_relock")                                         \
	X(UNLOCK_ORDER, "unlock_order")                                         \
	X(ZONELIST_FOREIGN, "zonelist_foreign")                                 \
	X(MUTEX_RELOCK, "mutex_relock")                                         \
	X(ARENA_SIZE, "arena_size")

enum sf_canary_kind {
#define SF_CANARY_ENUM(id, name) CANARY_##id,
	SF_CANARY_LIST(SF_CANARY_ENUM)
#undef SF_CANARY_ENUM
	NR_CANARY_KINDS
};

extern const char *const sf_canary_names[NR_CANARY_KINDS + 1];	/* NULL-terminated */

struct sf_op_spec {
	const char *name;
	uint8_t result;		/* enum sf_handle_kind the op creates, HK_NONE */
	uint8_t nargs;
	uint8_t slab;		/* needs the slab layer */
	struct sf_arg_spec args[SF_PROG_MAX_ARGS];
};

extern const struct sf_op_spec sf_op_specs[NR_OPCODES];

/* The arguments op spec s has in a program of that format version. */
unsigned int sf_op_nargs(const struct sf_op_spec *s, unsigned int version);
/* failslab's filter argument: the cache name it limits failslab to, ""
 * for none (all caches). */
const char *sf_prog_failslab_filter(uint32_t v);

struct sf_op {
	uint8_t code;				/* enum sf_opcode */
	int32_t result;				/* handle index created, -1 for none */
	uint32_t arg[SF_PROG_MAX_ARGS];		/* stored values (see the spec) */
};

struct sf_range {
	int node;
	uint32_t gap_units;	/* hole before the range, in SF_PROG_RANGE_UNIT pages */
	uint32_t len_units;	/* 1..SF_PROG_MAX_RANGE_UNITS */
};

struct sf_header {
	unsigned int nr_nodes;
	unsigned int nr_cpus;
	unsigned int boot_cpu;
	int cpu_node[SF_PROG_MAX_CPUS];
	unsigned int max_order;
	unsigned int section_shift;
	unsigned int vmemmap_block_sections;
	bool memmap_together;
	int debug_level;
	unsigned int slab_debug;	/* version 2: index into sf_slab_debug_names */
	unsigned int nr_ranges;
	struct sf_range ranges[SF_PROG_MAX_RANGES];
	uint8_t distance[SF_PROG_MAX_NODES][SF_PROG_MAX_NODES];
	pfn_t zone_dma_end;
	pfn_t zone_dma32_end;
	pfn_t zone_movable_start;	/* SF_MAX_PFN: no movable zone */
};

struct sf_program {
	unsigned int version;
	struct sf_header h;
	unsigned int nr_ops;
	unsigned int nr_handles[NR_HANDLE_KINDS];
	struct sf_op ops[SF_PROG_MAX_OPS];
};

/* The slab_debug= boot option values ("none" is no option). */
#define SF_PROG_NR_SLAB_DEBUG 4
extern const char *const sf_slab_debug_names[SF_PROG_NR_SLAB_DEBUG];
/* The slab_debug option string for machine_create, NULL for none. */
const char *sf_prog_slab_debug(const struct sf_header *h);

/* Decode any bytes. Never fails. */
void sf_prog_decode(const uint8_t *data, size_t size, struct sf_program *p);
/* Where a binary input ends early or late (the tools tell the user). */
struct sf_prog_cut {
	bool header;		/* ends inside the header: missing bytes read as 0 */
	size_t op_bytes;	/* bytes of a truncated last op (dropped), 0 if none */
	unsigned int op_index;	/* the index that op would have had */
	size_t ignored;		/* bytes left after SF_PROG_MAX_OPS ops */
};
/* sf_prog_decode, and where the input was cut (cut may be NULL). */
void sf_prog_decode_cut(const uint8_t *data, size_t size, struct sf_program *p,
			struct sf_prog_cut *cut);
/* Canonical binary form into buf (SF_PROG_BINARY_MAX is always enough);
 * returns the length. */
size_t sf_prog_encode(const struct sf_program *p, uint8_t *buf, size_t size);

/* Text form. print returns the length that would have been written (like
 * snprintf). parse returns 0, or -1 with "line N: what" in err. */
size_t sf_prog_print(const struct sf_program *p, char *buf, size_t size);
size_t sf_prog_print_op(const struct sf_program *p, const struct sf_op *op, char *buf,
			size_t size);
int sf_prog_parse(const char *text, struct sf_program *p, char *err, size_t errsize);

/* The machine described by the header. */
void sf_prog_topology(const struct sf_header *h, struct sf_topology *t);
pfn_t sf_prog_max_pfn(const struct sf_header *h);

/* Is this a text program (starts with the "slabfuzz-program" line, after
 * comments)? */
bool sf_prog_is_text(const uint8_t *data, size_t size);

/* Load a file (text or binary) into p. Returns 0, or -1 with err naming the
 * problem (missing, empty, not a program, parse error with line). */
int sf_prog_load_file(const char *path, struct sf_program *p, char *err, size_t errsize);

/* gfp as text (symbolic) and back. parse returns 0 or -1. */
char *sf_gfp_print(gfp_t gfp, char *buf, size_t size);
int sf_gfp_parse(const char *s, gfp_t *gfp);

/* Rebuild result numbering and drop ops whose handle references are gone
 * (after deleting ops, e.g. when minimising). */
void sf_prog_renumber(struct sf_program *p);

#endif
