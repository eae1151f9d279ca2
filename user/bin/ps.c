/* SPDX-License-Identifier: MIT */
/*
 * ps - list the processes.
 *
 * Every numeric entry of /proc is a process; its /proc/<pid>/status file
 * holds "Name:", "State:" and "PPid:" lines, as on Linux, so this program
 * works unchanged on both. Output, sorted by pid:
 *
 *       PID  PPID STAT COMMAND
 *         1     0 S    init
 *
 * A process that exits between the directory read and the status read is
 * skipped silently: that race is normal, not an error.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct process {
	int pid, parent;
	char state;
	char name[64];
};

static int by_pid(const void *left, const void *right)
{
	return ((const struct process *)left)->pid - ((const struct process *)right)->pid;
}

static bool is_number(const char *text)
{
	if (!*text)
		return false;
	for (; *text; text++)
		if (!isdigit((unsigned char)*text))
			return false;
	return true;
}

/* Fills process from /proc/<pid>/status; false if the process is gone. */
static bool read_status(int pid, struct process *process)
{
	char path[64], line[256];

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	FILE *status = fopen(path, "r");
	if (!status)
		return false;
	process->pid = pid;
	process->parent = 0;
	process->state = '?';
	strcpy(process->name, "?");
	while (fgets(line, sizeof(line), status)) {
		/* "Name:\tsh\n", "State:\tS (sleeping)\n", "PPid:\t1\n" */
		char *value = strchr(line, ':');
		if (!value)
			continue;
		*value++ = '\0';
		value += strspn(value, " \t");
		value[strcspn(value, "\n")] = '\0';
		if (strcmp(line, "Name") == 0)
			snprintf(process->name, sizeof(process->name), "%s", value);
		else if (strcmp(line, "State") == 0 && *value)
			process->state = *value;
		else if (strcmp(line, "PPid") == 0)
			process->parent = atoi(value);
	}
	fclose(status);
	return true;
}

int main(void)
{
	DIR *proc = opendir("/proc");
	struct process *processes = NULL;
	int count = 0, capacity = 0;

	if (!proc) {
		fprintf(stderr, "ps: cannot open /proc: %s\n", strerror(errno));
		return 1;
	}
	for (struct dirent *item; (item = readdir(proc));) {
		if (!is_number(item->d_name))
			continue;
		if (count == capacity) {
			capacity = capacity ? capacity * 2 : 64;
			struct process *grown = realloc(processes, capacity * sizeof(*processes));
			if (!grown) {
				fprintf(stderr, "ps: out of memory\n");
				return 1;
			}
			processes = grown;
		}
		if (read_status(atoi(item->d_name), &processes[count]))
			count++;
	}
	closedir(proc);
	qsort(processes, count, sizeof(*processes), by_pid);
	printf("  PID  PPID STAT COMMAND\n");
	for (int i = 0; i < count; i++)
		printf("%5d %5d %-4c %s\n", processes[i].pid, processes[i].parent, processes[i].state,
		       processes[i].name);
	free(processes);
	return 0;
}
