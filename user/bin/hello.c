/* SPDX-License-Identifier: MIT */
/* hello - prints "hello" and its arguments: the smallest program that shows exec works. */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("hello");
	for (int i = 1; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
	return 0;
}
