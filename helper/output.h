/* SPDX-License-Identifier: MIT */
/*
 * Whole lines to the app, queued and written as the socket takes them (output.c). Below every
 * module that speaks: none of them waits on the socket, and only the event loop flushes.
 */
#ifndef SYSCOPE_OUTPUT_H
#define SYSCOPE_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "json.h"

/* the fd lines go to (3, or 1 with --io stdio) */
void out_init(int fd);
/* while output waits, ask epfd for EPOLLOUT on the fd as well as idle_events (EPOLLIN when the
 * same fd carries the requests) */
void out_watch(int epfd, uint32_t idle_events);
/* queue j's content and a newline; a message over MESSAGE_MAX is dropped with a note on stderr */
void out_line(struct jbuf *j);
/* write what the socket takes now, without waiting */
void out_flush(void);
/* at exit: wait until everything queued is written, or the socket fails */
/* a burst of lines (files): flush, waiting for the app to read while a quarter of the queue is used */
void out_make_room(void);
void out_flush_all(void);
/* the app went away, stopped reading, or memory ran out: nothing more can be said */
bool out_failed(void);
/* an error line written at once, past the queue, for the app that waits for hello in vain */
void out_fatal(const char *code, const char *message);
void out_free(void);

#endif
