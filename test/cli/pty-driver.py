#!/usr/bin/env python3
"""Runs a program on a pseudo-terminal, as a terminal emulator would, for test/cli/pty.test.ts.

usage: pty-driver.py ROWS COLS PROGRAM [ARGS...]
PROGRAM leads a session of its own with the pty as its controlling terminal, stdin, stdout and
stderr. Commands come on our stdin, one JSON object a line:
  {"write": "<base64>"}    bytes typed (b"\\x03" is Ctrl-C)
  {"resize": [ROWS, COLS]} the window resized (PROGRAM gets SIGWINCH)
  {"attrs": true}          report the terminal's settings now
Events go to our stdout, one JSON object a line:
  {"pid": N}, {"out": "<base64>"}, {"attrs": "<settings>"},
  {"exit": CODE or null, "signal": SIG or null, "attrs": "<settings at the end>"}
"""
import base64
import fcntl
import json
import os
import select
import struct
import sys
import termios


def say(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def settings(fd):
    # what `stty -g` shows: the flags and control characters
    return repr(termios.tcgetattr(fd))


def main():
    rows, cols = int(sys.argv[1]), int(sys.argv[2])
    master, slave = os.openpty()
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    pid = os.fork()
    if pid == 0:
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.close(master)
        os.close(slave)
        os.execvp(sys.argv[3], sys.argv[3:])
    say({"pid": pid, "attrs": settings(slave)})
    os.set_blocking(master, False)
    status = None
    lines = b""
    while status is None:
        ready, _, _ = select.select([master, sys.stdin.buffer], [], [], 0.05)
        if master in ready:
            try:
                data = os.read(master, 65536)
                if data:
                    say({"out": base64.b64encode(data).decode()})
            except (BlockingIOError, OSError):
                pass
        if sys.stdin.buffer in ready:
            chunk = os.read(sys.stdin.fileno(), 65536)
            if not chunk:
                os.kill(pid, 9)
            lines += chunk
            while b"\n" in lines:
                line, lines = lines.split(b"\n", 1)
                cmd = json.loads(line)
                if "write" in cmd:
                    os.write(master, base64.b64decode(cmd["write"]))
                if "resize" in cmd:
                    r, c = cmd["resize"]
                    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", r, c, 0, 0))
                if "attrs" in cmd:
                    say({"attrs": settings(slave)})
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
    end_attrs = settings(slave)
    # the rest of what it wrote: with our slave closed too, EIO says all of it has been read
    os.close(slave)
    while select.select([master], [], [], 5)[0]:
        try:
            data = os.read(master, 65536)
        except BlockingIOError:
            continue
        except OSError:
            break
        if not data:
            break
        say({"out": base64.b64encode(data).decode()})
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    say({"exit": code, "signal": sig, "attrs": end_attrs})


main()
