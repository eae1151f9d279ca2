/* SPDX-License-Identifier: MIT */
/*
 * mem.c - /proc/<pid>/mem: the tracee's memory as a file, offset =
 * virtual address.
 *
 * A transfer goes page by page between the tracee's address space and a
 * bounce buffer in the kernel, then to or from the tracer's buffer
 * (kernel/addrspace.c: addrspace_access_forced). So the tracee need not
 * be stopped, and nothing is ever touched through a user address.
 *
 * Rules (docs/ptrace-abi.md):
 *   - a first byte that is unmapped, PROT_NONE, in the kernel half or
 *     non-canonical: EIO; a bad byte later: the transfer ends short;
 *   - address + length past 2^64: EINVAL;
 *   - writes reach read-only mappings through a private copy of the page,
 *     so a breakpoint in text is the tracee's alone;
 *   - the handle is bound to the address space it was opened on: after
 *     execve (a new address space, with a new generation number) or the
 *     tracee's death, every operation gives ESRCH. A handle can never
 *     reach an image it was not opened for.
 */
#include "arch/x86_64/memlayout.h"
#include "kernel/addrspace.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/proc.h"
#include "kernel/ptrace/handle.h"
#include "kernel/ptrace/perm.h"

#define MEM_CHUNK 4096

struct mem_binding {
	int pid;
	uint64_t serial;                /* the process (pids are reused, serials never) */
	uint64_t generation;            /* of the address space at open */
};

static int mem_open(struct file *file)
{
	struct process *tracee;
	int pid = (int)(uintptr_t)file->inode->private;
	int error = trace_may_attach(pid, false, &tracee);

	if (error)
		return error;
	if (!tracee->as)
		return -ESRCH;
	struct mem_binding *binding = kmalloc(sizeof(*binding));
	if (!binding)
		return -ENOMEM;
	binding->pid = pid;
	binding->serial = tracee->serial;
	binding->generation = tracee->as->generation;
	file->private = binding;
	return 0;
}

static void mem_release(struct file *file)
{
	kfree(file->private);
}

static long mem_transfer(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position,
			 bool write)
{
	const struct mem_binding *binding = file->private;
	struct process *tracee = proc_find(binding->pid);
	uint64_t address = *position;

	if (!tracee || tracee->serial != binding->serial || tracee->state == PROC_ZOMBIE || !tracee->as ||
	    tracee->as->generation != binding->generation)
		return -ESRCH;
	if (len == 0)
		return 0;
	if (address > UINT64_MAX - (len - 1))
		return -EINVAL;                 /* the range would wrap past 2^64 */
	if (address >= USER_TOP)
		return -EIO;
	uint8_t *bounce = kmalloc(MEM_CHUNK);
	if (!bounce)
		return -ENOMEM;

	size_t done = 0;
	long error = 0;
	while (done < len) {
		size_t chunk = len - done < MEM_CHUNK ? len - done : MEM_CHUNK;
		size_t moved;
		if (write) {
			if (io_copy_in(buffer, done, bounce, chunk)) {
				error = -EFAULT;
				break;
			}
			moved = addrspace_access_forced(tracee->as, address + done, bounce, chunk, true);
		} else {
			moved = addrspace_access_forced(tracee->as, address + done, bounce, chunk, false);
			if (moved && io_copy_out(buffer, done, bounce, moved)) {
				error = -EFAULT;
				break;
			}
		}
		done += moved;
		if (moved < chunk)
			break;                  /* an inaccessible page: stop short */
	}
	kfree(bounce);
	if (done == 0)
		return error ? error : -EIO;
	*position += done;
	return (long)done;
}

static long mem_read(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position)
{
	return mem_transfer(file, buffer, len, position, false);
}

static long mem_write(struct file *file, struct io_buffer buffer, size_t len, uint64_t *position)
{
	return mem_transfer(file, buffer, len, position, true);
}

const struct file_ops mem_file_ops = {
	.open = mem_open,
	.read = mem_read,
	.write = mem_write,
	.release = mem_release,
	.seekable = true,
	.unsigned_offsets = true,
};
