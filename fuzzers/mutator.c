/* SPDX-License-Identifier: MIT */
/*
 * Operation-level custom mutator for the libFuzzer builds of the binary
 * targets (CMake option SF_FUZZ_CUSTOM_MUTATOR; see docs/fuzzing.md for the
 * measurement that decides the default).
 *
 * The input is decoded into a program (any bytes decode), changed as a
 * program and encoded back, so every result is a valid program:
 *   insert     a random operation (its handle arguments refer to handles
 *              created before it; half the time an opcode the program
 *              already uses, so mostly one the target runs)
 *   delete     an operation (ops using a handle it created go too)
 *   duplicate  an operation, placed after it (a new handle if it makes one)
 *   swap       two operations (ops whose handles no longer exist before
 *              them are dropped by sf_prog_renumber)
 *   tweak      one argument of one operation, within its range
 *   header     one machine field (nodes, cpus, cpu->node, options,
 *              slab_debug, section layout, ranges, zones, distance);
 *              encode/decode makes the rest of the program fit it
 *   raw        LLVMFuzzerMutate on the bytes (the byte-level mutators)
 * One to three of these are stacked. Randomness comes only from Seed.
 * fuzz_program_text (text inputs) is not built with it.
 */
#include <string.h>

#include "program.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

struct rng {
	uint64_t s;
};

static uint64_t next64(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform-enough value in [0, n); n > 0. */
static uint32_t below(struct rng *r, uint32_t n)
{
	return (uint32_t)(next64(r) % n);
}

static struct sf_program prog;
static uint8_t buf[SF_PROG_BINARY_MAX];

/* Handles of kind k created by ops[0..end). */
static uint32_t handles_before(const struct sf_program *p, unsigned int end, unsigned int k)
{
	uint32_t n = 0;

	for (unsigned int i = 0; i < end; i++)
		if (sf_op_specs[p->ops[i].code].result == k)
			n++;
	return n;
}

static const gfp_t common_gfp[] = {
	GFP_KERNEL,
	GFP_ATOMIC,
	GFP_NOWAIT,
	GFP_NOFS,
	GFP_NOIO,
	GFP_KERNEL | __GFP_ZERO,
	GFP_KERNEL | __GFP_DMA,
	GFP_KERNEL | __GFP_DMA32,
	GFP_KERNEL | __GFP_MOVABLE,
	GFP_KERNEL | __GFP_THISNODE,
	GFP_KERNEL | __GFP_NOFAIL,
	GFP_KERNEL | __GFP_COMP,
	GFP_ATOMIC | __GFP_DMA,
	GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN,
};

static const uint32_t interesting[] = { 0,   1,	  2,   3,    4,	   7,	 8,    15,
					16,  24,  31,  32,   48,   63,	 64,   96,
					127, 128, 176, 192,  200,  208,	 255,  256,
					512, 1024, 2048, 4095, 4096, 4097, 8192 };

static uint32_t new_num(struct rng *r, uint32_t old, uint32_t mod)
{
	switch (below(r, 4)) {
	case 0:
		return below(r, mod);
	case 1: {
		uint32_t d = 1 + below(r, 16);

		return below(r, 2) ? (old + d) % mod : (old + mod - d % mod) % mod;
	}
	case 2:
		return mod - 1;
	default:
		return interesting[below(r, sizeof(interesting) / sizeof(interesting[0]))] % mod;
	}
}

static unsigned int enum_count(const char *const *names)
{
	unsigned int n = 0;

	while (names[n])
		n++;
	return n;
}

/* A value for argument a of the op at position pos (old: its current value).
 * Returns false when there is none (a handle kind with no handle yet). */
static bool new_arg(struct rng *r, const struct sf_program *p, unsigned int pos,
		    const struct sf_arg_spec *a, uint32_t old, uint32_t *out)
{
	uint32_t n;

	switch ((enum sf_arg_kind)a->kind) {
	case ARG_STAGE:
		*out = below(r, NR_BOOT_STAGES);
		return true;
	case ARG_GFP:
		switch (below(r, 4)) {
		case 0:
		case 1:
			*out = common_gfp[below(r, sizeof(common_gfp) / sizeof(common_gfp[0]))];
			break;
		case 2:
			*out = (old ^ (1u << below(r, 18))) & (__GFP_BITS_MASK | SF_GFP_INVALID_BIT);
			break;
		default:
			*out = below(r, 16) ? (uint32_t)(below(r, 1u << 18) & __GFP_BITS_MASK) :
					      old ^ SF_GFP_INVALID_BIT;
			break;
		}
		return true;
	case ARG_NODE:
		*out = below(r, p->h.nr_nodes + 1);
		return true;
	case ARG_CPU:
		*out = below(r, p->h.nr_cpus);
		return true;
	case ARG_HANDLE:
		n = handles_before(p, pos, a->handle);
		if (!n)
			return false;
		/* Mostly a recent handle: the one just made is the likely use. */
		*out = below(r, 2) ? n - 1 - below(r, n < 4 ? n : 4) : below(r, n);
		return true;
	case ARG_SP:
		*out = below(r, NR_SCHED_POINTS);
		return true;
	case ARG_ENUM:
		*out = below(r, enum_count(a->names));
		/* A name listed twice is its first index (canonical form). */
		for (uint32_t i = 0; i < *out; i++) {
			if (!strcmp(a->names[i], a->names[*out])) {
				*out = i;
				break;
			}
		}
		return true;
	case ARG_NUM:
		*out = new_num(r, old, a->mod);
		return true;
	}
	return false;
}

/* Make room at pos and renumber results: the new op gets a fresh handle
 * index (renumber orders them). */
static bool insert_at(struct sf_program *p, unsigned int pos, const struct sf_op *op)
{
	struct sf_op o = *op;
	unsigned int k = sf_op_specs[o.code].result;

	if (p->nr_ops >= SF_PROG_MAX_OPS)
		return false;
	memmove(&p->ops[pos + 1], &p->ops[pos], (p->nr_ops - pos) * sizeof(p->ops[0]));
	o.result = k != HK_NONE ? (int32_t)p->nr_handles[k] : -1;
	p->ops[pos] = o;
	p->nr_ops++;
	sf_prog_renumber(p);
	return true;
}

static bool op_insert(struct rng *r, struct sf_program *p)
{
	unsigned int pos = below(r, p->nr_ops + 1);

	for (int tries = 0; tries < 8; tries++) {
		struct sf_op op = { .result = -1 };
		const struct sf_op_spec *s;
		bool ok = true;

		if (p->nr_ops && below(r, 2))
			op.code = p->ops[below(r, p->nr_ops)].code;
		else
			op.code = (uint8_t)below(r, sf_prog_nr_opcodes(p->version));
		s = &sf_op_specs[op.code];
		for (unsigned int j = 0; j < sf_op_nargs(s, p->version) && ok; j++)
			ok = new_arg(r, p, pos, &s->args[j], 0, &op.arg[j]);
		if (ok)
			return insert_at(p, pos, &op);
	}
	return false;
}

static bool op_delete(struct rng *r, struct sf_program *p)
{
	unsigned int pos;

	if (!p->nr_ops)
		return false;
	pos = below(r, p->nr_ops);
	memmove(&p->ops[pos], &p->ops[pos + 1], (p->nr_ops - pos - 1) * sizeof(p->ops[0]));
	p->nr_ops--;
	sf_prog_renumber(p);
	return true;
}

static bool op_duplicate(struct rng *r, struct sf_program *p)
{
	unsigned int from, to;
	struct sf_op op;

	if (!p->nr_ops)
		return false;
	from = below(r, p->nr_ops);
	/* Anywhere after it: its handle arguments exist there too. */
	to = from + 1 + below(r, p->nr_ops - from);
	op = p->ops[from];
	return insert_at(p, to, &op);
}

static bool op_swap(struct rng *r, struct sf_program *p)
{
	unsigned int a, b;
	struct sf_op t;

	if (p->nr_ops < 2)
		return false;
	a = below(r, p->nr_ops);
	/* Mostly neighbours: far swaps break handle order more often. */
	b = below(r, 2) ? (a + 1) % p->nr_ops : below(r, p->nr_ops);
	if (a == b)
		return false;
	t = p->ops[a];
	p->ops[a] = p->ops[b];
	p->ops[b] = t;
	sf_prog_renumber(p);
	return true;
}

static bool op_tweak(struct rng *r, struct sf_program *p)
{
	for (int tries = 0; tries < 4 && p->nr_ops; tries++) {
		unsigned int pos = below(r, p->nr_ops);
		struct sf_op *op = &p->ops[pos];
		const struct sf_op_spec *s = &sf_op_specs[op->code];
		unsigned int j;
		uint32_t v;

		if (!sf_op_nargs(s, p->version))
			continue;
		j = below(r, sf_op_nargs(s, p->version));
		if (!new_arg(r, p, pos, &s->args[j], op->arg[j], &v) || v == op->arg[j])
			continue;
		op->arg[j] = v;
		return true;
	}
	return false;
}

/* One header field; encode + decode then makes everything else fit. */
static bool op_header(struct rng *r, struct sf_program *p)
{
	struct sf_header *h = &p->h;
	pfn_t max = sf_prog_max_pfn(h);
	unsigned int i;
	size_t len;

	switch (below(r, 12)) {
	case 0:
		h->nr_nodes = 1 + below(r, SF_PROG_MAX_NODES);
		break;
	case 1:
		h->nr_cpus = 1 + below(r, SF_PROG_MAX_CPUS);
		break;
	case 2:
		h->cpu_node[below(r, h->nr_cpus)] = (int)below(r, h->nr_nodes);
		break;
	case 3:
		/* Versions 3 to 5 are version 2 with more ops or arguments (an
		 * older program's read as 0): an input may grow into the next
		 * (its header and ops keep their meaning). */
		if (p->version >= 2 && p->version < SF_PROG_VERSION && below(r, 4) == 0)
			p->version++;
		else if (p->version >= 2)
			h->slab_debug = below(r, SF_PROG_NR_SLAB_DEBUG);
		else
			h->debug_level = (int)below(r, 4);
		break;
	case 4:
		if (below(r, 2))
			h->memmap_together = !h->memmap_together;
		else
			h->debug_level = (int)below(r, 4);
		break;
	case 5:
		h->section_shift = 5 + below(r, 6);
		break;
	case 6:
		h->max_order = 1 + below(r, SF_MAX_ORDER_LIMIT);
		break;
	case 7:
		h->vmemmap_block_sections = 1u << below(r, 4);
		break;
	case 8:
		i = below(r, SF_PROG_MAX_RANGES);
		if (i >= h->nr_ranges) {
			h->nr_ranges = i + 1;
			break;
		}
		h->ranges[i].node = (int)below(r, h->nr_nodes);
		break;
	case 9:
		i = below(r, h->nr_ranges);
		if (below(r, 2))
			h->ranges[i].gap_units = below(r, SF_PROG_MAX_GAP_UNITS);
		else
			h->ranges[i].len_units = 1 + below(r, SF_PROG_MAX_RANGE_UNITS);
		break;
	case 10:
		switch (below(r, 3)) {
		case 0:
			h->zone_dma_end = below(r, (uint32_t)max + 1);
			if (h->zone_dma32_end < h->zone_dma_end)
				h->zone_dma32_end = h->zone_dma_end;
			break;
		case 1:
			h->zone_dma32_end = h->zone_dma_end +
					    below(r, (uint32_t)(max + 1 - h->zone_dma_end));
			break;
		default:
			h->zone_movable_start = below(r, 4) ?
							h->zone_dma32_end +
								below(r, (uint32_t)(max + 1 -
										    h->zone_dma32_end)) :
							SF_MAX_PFN;
			break;
		}
		break;
	default:
		if (h->nr_nodes > 1) {
			unsigned int a = below(r, h->nr_nodes - 1);
			unsigned int b = a + 1 + below(r, h->nr_nodes - 1 - a);

			h->distance[a][b] = h->distance[b][a] = (uint8_t)(11 + below(r, 90));
		}
		break;
	}
	/* Canonicalise: the decoder takes every field and argument modulo the
	 * new machine's ranges. */
	len = sf_prog_encode(p, buf, sizeof(buf));
	sf_prog_decode(buf, len, p);
	return true;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	struct rng r = { (uint64_t)seed * 0x2545f4914f6cdd1dull + 1 };
	unsigned int steps = 1 + below(&r, 3);
	bool changed = false;
	size_t len;

	/* The byte-level mutators: they find what the format's layout hides
	 * (e.g. a bit flip in an options byte). */
	if (below(&r, 5) == 0)
		return LLVMFuzzerMutate(data, size, max_size);

	sf_prog_decode(data, size, &prog);
	for (unsigned int i = 0; i < steps; i++) {
		unsigned int what = below(&r, 20);

		if (what < 4)
			changed |= op_insert(&r, &prog);
		else if (what < 7)
			changed |= op_delete(&r, &prog);
		else if (what < 9)
			changed |= op_duplicate(&r, &prog);
		else if (what < 11)
			changed |= op_swap(&r, &prog);
		else if (what < 18)
			changed |= op_tweak(&r, &prog);
		else
			changed |= op_header(&r, &prog);
	}
	if (!changed)
		return LLVMFuzzerMutate(data, size, max_size);

	/* Fit max_size by dropping trailing ops (earlier handles stay valid). */
	for (;;) {
		len = sf_prog_encode(&prog, buf, sizeof(buf));
		if (len <= max_size || !prog.nr_ops)
			break;
		prog.nr_ops--;
	}
	if (len > max_size)
		len = max_size;
	memcpy(data, buf, len);
	return len;
}
