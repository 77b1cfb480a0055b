/* SPDX-License-Identifier: MIT */
/* What a running helper holds, shared by the event loop (main.c), requests.c and events.c. */
#ifndef SYSCOPE_SESSION_H
#define SYSCOPE_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>

#include "disk.h"
#include "json.h"
#include "loader.h"
#include "output.h"
#include "syscope.h"
#include "tracker.h"

/* Exits held back for their last thread's final switch off a CPU (EV_EXIT_CPU: the CPU time
 * then final), until the tick after the one they came in (events.c). */
#define HELD_EXITS 256

struct held_exit {
	struct syscope_event e;
	uint64_t seq; /* the tick it came in */
};

struct session {
	struct loader ld;
	struct tracker tr;
	struct disk disk; /* block requests and queues (disk.c) */
	struct jbuf msg; /* the message being written */
	bool said_hello;
	bool stop; /* shutdown asked, a signal came, or the app closed the socket */
	int timer_fd; /* the tick's interval timer */
	struct held_exit held[HELD_EXITS];
	uint32_t n_held;
};

/* time to leave: stopped, or nothing more can be written to the app */
static inline bool session_done(const struct session *s)
{
	return s->stop || out_failed();
}

#endif
