/* SPDX-License-Identifier: MIT */
/* --diagnose: what this machine supports, as JSON on stdout (diagnose.c). */
#ifndef SYSCOPE_DIAGNOSE_H
#define SYSCOPE_DIAGNOSE_H

struct loader_opts;

int diagnose(const char *self, const struct loader_opts *o);

#endif
