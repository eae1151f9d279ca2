/* SPDX-License-Identifier: MIT */
/* prog_segv - writes through a NULL pointer: the shell must report "Segmentation fault" (test_shell.py). */
int main(void)
{
	volatile int *nowhere = 0;
	*nowhere = 1;
	return 0;
}
