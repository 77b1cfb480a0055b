/* SPDX-License-Identifier: MIT */
/* What a running helper holds, shared by the event loop (main.c), requests.c and events.c. */
#ifndef SYSCOPE_SESSION_H
#define SYSCOPE_SESSION_H

#include <stdbool.h>

#include "disk.h"
#include "json.h"
#include "loader.h"
#include "output.h"
#include "tracker.h"

struct session {
	struct loader ld;
	struct tracker tr;
	struct disk disk; /* block requests and queues (disk.c) */
	struct jbuf msg; /* the message being written */
	bool said_hello;
	bool stop; /* shutdown asked, a signal came, or the app closed the socket */
	int timer_fd; /* the tick's interval timer */
};

/* time to leave: stopped, or nothing more can be written to the app */
static inline bool session_done(const struct session *s)
{
	return s->stop || out_failed();
}

#endif
