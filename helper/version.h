/* SPDX-License-Identifier: MIT */
/* Which build this is: in hello, --version and --diagnose. */
#ifndef SYSCOPE_VERSION_H
#define SYSCOPE_VERSION_H

/* written by the Makefile into build_id.c (package.json's version, a hash of the sources): one
 * object holds them, so every part of a build reports the same, however incremental the build */
extern const char syscope_version[];
extern const char syscope_build_id[];
#define SYSCOPE_VERSION syscope_version
#define SYSCOPE_BUILD_ID syscope_build_id

#endif
