/* SPDX-License-Identifier: MIT */
/* The app's requests, read from the socket and answered (requests.c). */
#ifndef SYSCOPE_REQUESTS_H
#define SYSCOPE_REQUESTS_H

#include <stdint.h>

struct session;

/* read what fd has, and handle each whole request line; sets s->stop when the app closed it */
void requests_read(struct session *s, int fd);
/* the tick interval, also set by the `interval` request; 0 or -errno */
int requests_set_interval(struct session *s, uint32_t ms);

#endif
