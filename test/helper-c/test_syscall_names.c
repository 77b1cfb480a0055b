/* The generated syscall table (helper/syscall_names.h) against numbers the kernel ABI fixes. */
#include "check.h"
#include "syscall_names.h"

static int is(const char *got, const char *want)
{
	return got && !strcmp(got, want);
}

int main(void)
{
	CHECK(is(syscall_name(ARCH_X86_64, 0), "read"), "x86_64 0 is read");
	CHECK(is(syscall_name(ARCH_X86_64, 39), "getpid"), "x86_64 39 is getpid");
	CHECK(is(syscall_name(ARCH_X86_64, 59), "execve"), "x86_64 59 is execve");
	CHECK(is(syscall_name(ARCH_X86_64, 110), "getppid"), "x86_64 110 is getppid");
	CHECK(is(syscall_name(ARCH_X86_64, 231), "exit_group"), "x86_64 231 is exit_group");
	CHECK(is(syscall_name(ARCH_X86_64, 435), "clone3"), "x86_64 435 is clone3");
	CHECK(is(syscall_name(ARCH_AARCH64, 63), "read"), "aarch64 63 is read");
	CHECK(is(syscall_name(ARCH_AARCH64, 173), "getppid"), "aarch64 173 is getppid");
	CHECK(is(syscall_name(ARCH_AARCH64, 221), "execve"), "aarch64 221 is execve");
	CHECK(is(syscall_name(ARCH_AARCH64, 94), "exit_group"), "aarch64 94 is exit_group");
	CHECK(is(syscall_name(ARCH_AARCH64, 278), "getrandom"), "aarch64 278 is getrandom");
	CHECK(syscall_name(ARCH_X86_64, -1) == NULL && syscall_name(ARCH_X86_64, 100000) == NULL,
	      "out-of-range numbers have no name");
	CHECK(syscall_name(ARCH_AARCH64, 1000) == NULL, "aarch64 out of range has no name");
	return CHECK_DONE();
}
