/* SPDX-License-Identifier: MIT */
/*
 * memory.c - the shell's two kinds of memory.
 *
 * The arena: everything a command line needs (tokens, words, argv arrays,
 * expanded text) is carved out of big chunks and freed all at once by
 * arena_reset() when the line has run, so the parser and the expander
 * never free anything themselves. Forked children simply inherit it.
 *
 * The buffer: a growable string on the heap, for input lines and for
 * words being built by the expander.
 *
 * Running out of memory ends the shell (status 2): there is no sensible
 * way to carry on half a command line.
 */
#include <stdlib.h>
#include <string.h>

#include "sh.h"

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	char data[];
};

static struct arena_chunk *arena;

/* Zeroed memory that lives until arena_reset(); never NULL (exits instead). */
void *arena_alloc(size_t size)
{
	size = (size + 15) & ~(size_t)15;
	if (!arena || arena->size - arena->used < size) {
		size_t chunk_size = size > 16384 ? size : 16384;
		struct arena_chunk *chunk = malloc(sizeof(*chunk) + chunk_size);
		if (!chunk) {
			report_error("out of memory");
			exit(2);
		}
		chunk->next = arena;
		chunk->used = 0;
		chunk->size = chunk_size;
		arena = chunk;
	}
	void *memory = arena->data + arena->used;
	arena->used += size;
	return memset(memory, 0, size);
}

char *arena_strndup(const char *text, size_t length)
{
	char *copy = arena_alloc(length + 1);
	memcpy(copy, text, length);
	return copy;
}

void arena_reset(void)
{
	while (arena) {
		struct arena_chunk *next = arena->next;
		free(arena);
		arena = next;
	}
}

void buffer_append(struct buffer *buffer, const char *text, size_t length)
{
	if (buffer->length + length + 1 > buffer->capacity) {
		size_t capacity = buffer->capacity ? buffer->capacity : 128;
		while (capacity < buffer->length + length + 1)
			capacity *= 2;
		char *data = realloc(buffer->data, capacity);
		if (!data) {
			report_error("out of memory");
			exit(2);
		}
		buffer->data = data;
		buffer->capacity = capacity;
	}
	memcpy(buffer->data + buffer->length, text, length);
	buffer->length += length;
	buffer->data[buffer->length] = '\0';
}

void buffer_append_char(struct buffer *buffer, char ch)
{
	buffer_append(buffer, &ch, 1);
}
