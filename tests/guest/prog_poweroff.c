/* SPDX-License-Identifier: MIT */
/*
 * prog_poweroff - asks the kernel to power off with reboot(2), as a
 * `poweroff` command would. Run by tests/qemu/test_processes.py: the
 * machine must go down at once, before init sees this program exit.
 */
#include <stdio.h>
#include <sys/reboot.h>
#include <unistd.h>

int main(void)
{
	printf("prog_poweroff: powering off\n");
	fflush(stdout);
	reboot(RB_POWER_OFF);
	perror("prog_poweroff: reboot");
	return 1;
}
