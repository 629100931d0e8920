/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Clearing ahead of allocation for heaps of physically contiguous buffers
 */

#ifndef _DMA_HEAP_CONTIG_CLEAR_H
#define _DMA_HEAP_CONTIG_CLEAR_H

#include <linux/types.h>

struct contig_heap;
struct fault_attr;
struct seq_file;

int contig_clear_init(struct contig_heap *ch);
void contig_clear_destroy(struct contig_heap *ch);
void contig_clear_freed(struct contig_heap *ch, phys_addr_t phys, size_t size);
int contig_clear_claim(struct contig_heap *ch, phys_addr_t phys, size_t size);
bool contig_clear_hint_clean(struct contig_heap *ch, unsigned long first,
			     unsigned long nr);
void contig_clear_flush(struct contig_heap *ch);
void contig_clear_set_ahead(struct contig_heap *ch, bool on);
void contig_clear_stats_show(struct seq_file *s, struct contig_heap *ch);
void contig_clear_debugfs_add(struct contig_heap *ch);
#if IS_ENABLED(CONFIG_KUNIT)
struct fault_attr *contig_clear_fault_attr(struct contig_heap *ch);
#endif

/* The clearing primitive of contig_buffer.c, shared with contig_clear.c */
int contig_heap_clear_range(struct contig_heap *ch, phys_addr_t phys,
			    size_t len);

#endif /* _DMA_HEAP_CONTIG_CLEAR_H */
