/* SPDX-License-Identifier: MIT */
/* true - do nothing, successfully: exit status 0 (for `while true`, `cmd || true`). */
int main(void)
{
	return 0;
}
