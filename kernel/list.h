/* SPDX-License-Identifier: MIT */
/*
 * list.h - intrusive doubly linked lists (the Linux list_head idea).
 *
 * A struct that lives on a list embeds a `struct list_node`; the list
 * itself is a node whose next/prev point back at itself when empty.
 * list_entry() gets from the embedded node back to the containing struct.
 * No allocation ever happens here, so adding and removing cannot fail.
 */
#ifndef LOUPE_LIST_H
#define LOUPE_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list_node {
	struct list_node *next, *prev;
};

#define LIST_INIT(name) { &(name), &(name) }

static inline void list_init(struct list_node *list)
{
	list->next = list->prev = list;
}

static inline bool list_empty(const struct list_node *list)
{
	return list->next == list;
}

/* A node not on any list points at itself (list_init or list_remove did it). */
static inline bool list_linked(const struct list_node *node)
{
	return node->next != node && node->next != NULL;
}

static inline void list_insert_between(struct list_node *node, struct list_node *prev,
				       struct list_node *next)
{
	node->prev = prev;
	node->next = next;
	prev->next = node;
	next->prev = node;
}

static inline void list_add_tail(struct list_node *list, struct list_node *node)
{
	list_insert_between(node, list->prev, list);
}

static inline void list_remove(struct list_node *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	list_init(node);
}

#define list_entry(node, type, member) \
	((type *)((char *)(node) - offsetof(type, member)))

#define list_first_entry(list, type, member) list_entry((list)->next, type, member)

/* Iterate; the _safe form allows removing `pos` inside the loop. */
#define list_for_each_entry(pos, list, member) \
	for (pos = list_entry((list)->next, __typeof__(*pos), member); \
	     &pos->member != (list); \
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))

#define list_for_each_entry_safe(pos, tmp, list, member) \
	for (pos = list_entry((list)->next, __typeof__(*pos), member), \
	     tmp = list_entry(pos->member.next, __typeof__(*pos), member); \
	     &pos->member != (list); \
	     pos = tmp, tmp = list_entry(tmp->member.next, __typeof__(*pos), member))

#endif
