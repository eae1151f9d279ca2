/* SPDX-License-Identifier: MIT */
/*
 * exec.c - execve: load a static ELF program into a fresh address space.
 *
 * The steps, in an order that keeps the old program intact until the new
 * one is completely ready (execve must either work or change nothing):
 *
 *   1. find the file and check it (kernel/elf.c validates every header);
 *   2. build a new address space: one region per PT_LOAD, its bytes
 *      copied in (bss is simply the zero-filled rest), and the stack;
 *   3. lay out the initial stack exactly as Linux does, so musl's _start
 *      finds argc, argv, envp and the auxiliary vector where it expects:
 *
 *        high   "path\0" (AT_EXECFN), argv strings, envp strings,
 *               16 random bytes (AT_RANDOM), "x86_64\0" (AT_PLATFORM)
 *               padding to 16 bytes
 *               auxv: (type, value) pairs ... AT_NULL, 0
 *               NULL, envp[envc-1] ... envp[0]
 *               NULL, argv[argc-1] ... argv[0]
 *        rsp -> argc                                  (16-byte aligned)
 *
 *   4. commit: switch to the new address space, free the old one, and
 *      reset the user registers: all zero but RIP (the entry point), RSP,
 *      CS/SS and RFLAGS (0x202), the FPU at its defaults, FS base 0.
 *
 * The program is read whole from the file system (vfs.c) into a kernel
 * buffer first, so the loader works on bytes it owns.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/memlayout.h"
#include "kernel/addrspace.h"
#include "kernel/elf.h"
#include "kernel/errno.h"
#include "kernel/exec.h"
#include "kernel/heap.h"
#include "kernel/file.h"
#include "kernel/sys_fs.h"
#include "kernel/vfs.h"
#include "kernel/lib/string.h"
#include "kernel/proc.h"
#include "kernel/random.h"
#include "kernel/sched.h"
#include "kernel/tty.h"

#define PIE_LOAD_BIAS 0x0000555555554000UL     /* where Linux puts static-pie programs too */

/* Auxiliary vector types (Linux's <elf.h>). */
enum {
	AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7,
	AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14,
	AT_PLATFORM = 15, AT_HWCAP = 16, AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25,
	AT_EXECFN = 31,
};
#define AUXV_MAX 20

int exec_args_init(struct exec_args *args)
{
	args->strings = kmalloc(EXEC_ARGS_MAX_BYTES);
	args->used = 0;
	args->argc = args->envc = 0;
	return args->strings ? 0 : -ENOMEM;
}

int exec_args_add(struct exec_args *args, const char *string, size_t length)
{
	if (args->argc + args->envc >= EXEC_ARGS_MAX_COUNT ||
	    length + 1 > EXEC_ARGS_MAX_BYTES - args->used)
		return -E2BIG;
	memcpy(args->strings + args->used, string, length);
	args->strings[args->used + length] = '\0';
	args->used += length + 1;
	return 0;
}

void exec_args_free(struct exec_args *args)
{
	kfree(args->strings);
	args->strings = NULL;
}

/* A cursor that fills the new stack downwards, through addrspace_poke. */
struct stack_builder {
	struct address_space *as;
	uint64_t sp;
	int error;
};

static uint64_t stack_push(struct stack_builder *stack, const void *data, size_t length)
{
	stack->sp -= length;
	if (addrspace_poke(stack->as, stack->sp, data, length) != length)
		stack->error = -E2BIG;  /* the arguments do not fit in the stack region */
	return stack->sp;
}

static void stack_push_word(struct stack_builder *stack, uint64_t word)
{
	stack_push(stack, &word, sizeof(word));
}

static int exec_build_stack(struct address_space *as, const char *path, const struct exec_args *args,
			    const struct elf_image *image, uint64_t bias, uint64_t *rsp_out)
{
	struct stack_builder stack = { as, USER_STACK_TOP, 0 };
	int count = args->argc + args->envc;
	uint64_t *pointers = kmalloc((size_t)(count + 1) * sizeof(uint64_t));

	if (!pointers)
		return -ENOMEM;

	/*
	 * The strings: the path on top, then one block with argv[0], argv[1],
	 * ..., envp[0], ... in increasing addresses, as Linux lays them out:
	 * /proc/<pid>/cmdline is the argv part of that block.
	 */
	uint64_t execfn = stack_push(&stack, path, strlen(path) + 1);
	uint64_t block = stack_push(&stack, args->strings, args->used);
	const char *string = args->strings;
	for (int i = 0; i < count; i++) {
		pointers[i] = block + (uint64_t)(string - args->strings);
		string += strlen(string) + 1;
		if (i == args->argc - 1)
			current->arg_end = block + (uint64_t)(string - args->strings);
	}
	current->arg_start = block;
	if (args->argc == 0)
		current->arg_end = block;
	uint8_t random_bytes[16];
	random_fill(random_bytes, sizeof(random_bytes));
	uint64_t at_random = stack_push(&stack, random_bytes, sizeof(random_bytes));
	uint64_t at_platform = stack_push(&stack, "x86_64", 7);
	stack.sp &= ~15UL;

	uint64_t auxv[AUXV_MAX * 2];
	int n = 0;
#define AUX(type, value) do { auxv[n++] = (type); auxv[n++] = (value); } while (0)
	if (image->phdr_vaddr)
		AUX(AT_PHDR, image->phdr_vaddr + bias);
	AUX(AT_PHENT, image->phent);
	AUX(AT_PHNUM, image->phnum);
	AUX(AT_PAGESZ, 4096);
	AUX(AT_BASE, 0);                /* no interpreter */
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, image->entry + bias);
	AUX(AT_UID, 0);
	AUX(AT_EUID, 0);
	AUX(AT_GID, 0);
	AUX(AT_EGID, 0);
	AUX(AT_SECURE, 0);
	AUX(AT_CLKTCK, 100);
	AUX(AT_HWCAP, 0);
	AUX(AT_RANDOM, at_random);
	AUX(AT_PLATFORM, at_platform);
	AUX(AT_EXECFN, execfn);
	AUX(AT_NULL, 0);
#undef AUX

	/* argc + argv + NULL + envp + NULL + auxv: pad so that RSP ends 16-byte aligned. */
	size_t words = 1 + (size_t)args->argc + 1 + (size_t)args->envc + 1 + (size_t)n;
	if (words & 1)
		stack_push_word(&stack, 0);
	stack_push(&stack, auxv, (size_t)n * sizeof(uint64_t));
	stack_push_word(&stack, 0);
	for (int i = count - 1; i >= args->argc; i--)
		stack_push_word(&stack, pointers[i]);
	stack_push_word(&stack, 0);
	for (int i = args->argc - 1; i >= 0; i--)
		stack_push_word(&stack, pointers[i]);
	stack_push_word(&stack, (uint64_t)args->argc);

	kfree(pointers);
	*rsp_out = stack.sp;
	return stack.error;
}

static uint32_t exec_prot(uint32_t elf_prot)
{
	return (elf_prot & ELF_PROT_READ ? PROT_READ : 0) |
	       (elf_prot & ELF_PROT_WRITE ? PROT_WRITE : 0) |
	       (elf_prot & ELF_PROT_EXEC ? PROT_EXEC : 0);
}

static int exec_load_segments(struct address_space *as, const uint8_t *file,
			      const struct elf_image *image, uint64_t bias)
{
	for (size_t i = 0; i < image->nsegments; i++) {
		const struct elf_load_segment *segment = &image->segments[i];
		uint64_t start = (segment->vaddr + bias) & ~4095UL;
		uint64_t end = (segment->vaddr + bias + segment->memsz + 4095) & ~4095UL;
		uint32_t prot = exec_prot(segment->prot);
		int error;

		/* A page shared with the previous segment gets both protections, as on Linux. */
		struct vma *previous = addrspace_find(as, start);
		if (previous) {
			error = addrspace_map(as, start, 4096, previous->prot | prot, VMA_IMAGE);
			if (error)
				return error;
			start += 4096;
		}
		if (start < end) {
			error = addrspace_map(as, start, end - start, prot, VMA_IMAGE);
			if (error)
				return error;
			/* p_vaddr and p_offset agree modulo the page size (elf.c checked). */
			addrspace_find(as, start)->file_offset =
				(segment->file_offset & ~4095UL) + (start - ((segment->vaddr + bias) & ~4095UL));
		}
	}
	/* Copy after all regions exist: two segments may share a boundary page. */
	for (size_t i = 0; i < image->nsegments; i++) {
		const struct elf_load_segment *segment = &image->segments[i];
		if (addrspace_poke(as, segment->vaddr + bias, file + segment->file_offset,
				   segment->filesz) != segment->filesz)
			return -ENOMEM;
	}
	return 0;
}

/* The whole program file in a new kernel buffer; checks that it may be executed. */
static int exec_read_file(const char *path, uint8_t **data, size_t *size)
{
	struct inode *start = cwd_get(), *inode;
	int error = vfs_lookup(start, path, &inode);

	vfs_inode_put(start);
	if (error)
		return error;
	if (!S_ISREG(inode->mode) || !(inode->mode & 0111) || !inode->fops || !inode->fops->read) {
		vfs_inode_put(inode);
		return -EACCES;                 /* a directory, a device, or no x bit */
	}
	struct file *file = vfs_open_inode(inode, O_RDONLY, &error);
	vfs_inode_put(inode);
	if (!file)
		return error;
	*size = file->inode->size;
	*data = kmalloc(*size ? *size : 1);
	long got = *data ? file->ops->read(file, (struct io_buffer){ (uint64_t)*data, true },
					    *size, &file->position) : -ENOMEM;
	file_put(file);
	if (got < 0 || (size_t)got != *size) {
		kfree(*data);
		return got < 0 ? (int)got : -EIO;
	}
	return 0;
}

int exec_program(const char *path, const struct exec_args *args)
{
	struct elf_image image;
	uint8_t *file;
	size_t file_size;
	uint64_t rsp;

	int error = exec_read_file(path, &file, &file_size);
	if (error)
		return error;
	error = elf_parse(file, file_size, USER_STACK_TOP - USER_STACK_SIZE, &image) ? -ENOEXEC : 0;
	uint64_t bias = image.position_independent ? PIE_LOAD_BIAS : 0;
	/* Keep page 0 and the region below USER_MIN_ADDRESS unmapped, so NULL+small offsets fault. */
	if (!error && (image.lowest_vaddr + bias < USER_MIN_ADDRESS ||
		       image.highest_vaddr + bias > USER_STACK_TOP - USER_STACK_SIZE))
		error = -ENOEXEC;
	struct address_space *as = error ? NULL : addrspace_create();
	if (!error && !as)
		error = -ENOMEM;
	if (error) {
		kfree(file);
		return error;
	}
	error = exec_load_segments(as, file, &image, bias);
	kfree(file);
	if (!error)
		error = addrspace_map(as, USER_STACK_TOP - USER_STACK_SIZE, USER_STACK_SIZE,
				      PROT_READ | PROT_WRITE | (image.stack_executable ? PROT_EXEC : 0),
				      VMA_STACK);
	uint64_t old_arg_start = current->arg_start, old_arg_end = current->arg_end;
	if (!error)
		error = exec_build_stack(as, path, args, &image, bias, &rsp);
	if (error) {
		current->arg_start = old_arg_start;     /* the old image stays, and its argv */
		current->arg_end = old_arg_end;
		addrspace_destroy(as);
		return error;
	}
	as->brk_start = as->brk = image.highest_vaddr + bias;

	/* Point of no return: the old image goes. */
	struct process *process = current;
	struct address_space *old = process->as;
	process->as = as;
	write_cr3(as->pml4);
	addrspace_destroy(old);

	struct trap_frame *frame = process->frame;
	uint64_t syscall_number = frame->orig_rax;     /* Linux keeps execve's number here */
	memset(frame, 0, sizeof(*frame));
	frame->orig_rax = syscall_number;
	frame->rip = image.entry + bias;
	frame->rsp = rsp;
	frame->cs = USER_CS;
	frame->ss = USER_DS;
	frame->rflags = RFLAGS_IF | RFLAGS_FIXED;
	process->force_iret = true;

	/* The FPU registers are live: load the defaults now, not at the next switch. */
	fpu_init_state(&process->fpu);
	fpu_restore(&process->fpu);
	process->fs_base = process->gs_base = 0;
	wrmsr(MSR_FS_BASE, 0);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	proc_set_name(process, path);
	size_t path_length = strnlen(path, sizeof(process->exe_path) - 1);
	memcpy(process->exe_path, path, path_length);
	process->exe_path[path_length] = '\0';
	fd_table_exec(process->fds);
	signal_exec(process);
	process->did_exec = true;
	return 0;
}

/*
 * pid 1 is made by hand: there is no parent to fork it from. It is
 * created empty, and exec_program runs on its behalf (current is
 * switched to it for the call, which only the boot context may do).
 */
int proc_start_init(const char *path, const char *command)
{
	static const char *const environment[] = { "HOME=/", "PATH=/bin:/tests", "TERM=vt100" };
	struct process *boot = current;
	struct exec_args args;
	int error;

	struct process *init = proc_create(path, &error);
	if (!init)
		return error;
	init->pgid = init->sid = init->pid;
	/* Like Linux, the kernel gives init the console as descriptors 0, 1 and 2. */
	init->fds = fd_table_new();
	if (!init->fds) {
		proc_free(init);
		return -ENOMEM;
	}
	init->umask = 022;
	for (int fd = 0; fd < 3 && tty_inode(); fd++) {
		struct file *console = vfs_open_inode(tty_inode(), O_RDWR, &error);
		if (console)
			init->fds->files[fd] = console;
	}
	tty_set_session(init->sid, init->pgid);
	error = exec_args_init(&args);
	if (!error)
		error = exec_args_add(&args, path, strlen(path));
	if (!error && command[0])
		error = exec_args_add(&args, command, strlen(command));
	args.argc = command[0] ? 2 : 1;
	for (size_t i = 0; !error && i < sizeof(environment) / sizeof(environment[0]); i++) {
		error = exec_args_add(&args, environment[i], strlen(environment[i]));
		args.envc++;
	}
	if (!error) {
		current = init;
		error = exec_program(path, &args);
		current = boot;
	}
	exec_args_free(&args);
	if (error) {
		fd_table_free(init->fds);
		init->fds = NULL;
		proc_free(init);
		return error;
	}
	proc_prepare_first_run(init);
	sched_make_runnable(init);
	return 0;
}
