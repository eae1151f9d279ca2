/* SPDX-License-Identifier: MIT */
/* false - do nothing, unsuccessfully: exit status 1 (for testing `&&`, `||` and $?). */
int main(void)
{
	return 1;
}
