/* The pieces the layout pass (layout.c) builds its program from: a graph
 * of instructions with symbolic successors, shared by hash-consing, and
 * the weighted comparison trees that dispatch on arch and nr. */
#ifndef SYSFENCE_LAYOUT_TREE_H
#define SYSFENCE_LAYOUT_TREE_H

#include <stddef.h>
#include <stdint.h>

/* One instruction of the new program. Jumps name their successors by node
 * index; for loads and ALU, t is the next node; RET has none (-1). */
struct ltree_node {
	uint16_t code;
	uint32_t k;
	int t, f;
};

struct ltree_graph {
	struct ltree_node *v;
	size_t n, cap;
	int *hash;     /* open addressing over v; -1 empty */
	size_t hcap;
	int full;
};

/* The node (CODE, K, T, F), shared with an identical one if it exists:
 * identical code reached from several classes is emitted once. A jump
 * whose successors are one node is that node. -1 when the graph is full
 * (G->full is set) or a successor is -1. */
int ltree_cons(struct ltree_graph *g, uint16_t code, uint32_t k, int t, int f);
void ltree_graph_free(struct ltree_graph *g);

/* A run of values of arch or nr with one target node. */
struct ltree_item {
	uint32_t lo, hi;
	int target;
	double w;
};

/* A value with its own weight: a syscall of the profile, or an arch. */
struct ltree_hot {
	uint32_t value;
	double w;
};

/* The index of the item of IT (N items sorted by lo, covering the 32-bit
 * range) that holds X. */
size_t ltree_item_of(const struct ltree_item *it, size_t n, uint32_t x);

/* The comparison tree over IT, N runs of values with their targets and
 * weights, that minimises the expected number of comparisons, with the
 * best number of the HOT values (reordered) tested by jeq first. Returns
 * its root node, or -1 when the graph is full. */
int ltree_build(struct ltree_graph *g, const struct ltree_item *it, size_t n, struct ltree_hot *hot, size_t nhot);

#endif
