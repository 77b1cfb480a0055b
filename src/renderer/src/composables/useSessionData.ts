// One session's data in the renderer: the snapshot, then live ticks, events and output appended
// into bounded buffers. Views redraw at most once per animation frame (`version`), not per tick.
import { onScopeDispose, ref, shallowRef } from 'vue'
import type { OutputChunk, ProcessInfo, SessionEnded, SessionEvent, SessionInfo, SessionSnapshot, TickBatch } from '@shared/contract'
import { SessionBuffer } from '../lib/series'
import { attempt } from '../lib/notify'

/** points per process the snapshot brings (the tree gets as many) */
export const SNAPSHOT_POINTS = 2000
export const MAX_EVENTS = 20_000
export const MAX_OUTPUT_CHARS = 256 * 1024
/**
 * Figures shown as text (the duration, each lane's latest values) change at most this often.
 * Any text change makes Chromium repaint the page and take a fresh snapshot of every chart's
 * canvas, about 2.5 ms a time: once a frame that was a quarter of a streaming frame's work.
 */
export const READOUT_MS = 250

/** Keep the newest chunks up to `max` characters in all. */
export function boundOutput(chunks: OutputChunk[], max = MAX_OUTPUT_CHARS): OutputChunk[] {
  let total = 0
  let i = chunks.length
  while (i > 0 && total + chunks[i - 1]!.text.length <= max) total += chunks[--i]!.text.length
  if (i === 0) return chunks
  // the oldest one kept may be cut to fit exactly
  const cut = chunks[i - 1]!
  const room = max - total
  return room > 0 ? [{ ...cut, text: cut.text.slice(-room) }, ...chunks.slice(i)] : chunks.slice(i)
}

const sameEvent = (a: SessionEvent, b: SessionEvent): boolean =>
  a.kind === b.kind && a.t_ms === b.t_ms && ('pid' in a ? a.pid : a.message) === ('pid' in b ? b.pid : b.message)

export function useSessionData(sessionId: string) {
  const buffer = new SessionBuffer()
  const info = shallowRef<SessionInfo | null>(null)
  const events = shallowRef<SessionEvent[]>([])
  const output = shallowRef<OutputChunk[]>([])
  const warnings = shallowRef<string[]>([])
  const processInfo = shallowRef<ProcessInfo[]>([])
  const ended = shallowRef<SessionEnded | null>(null)
  const loadError = ref<string | null>(null)
  const loading = ref(true)
  /** bumped at most once per animation frame when anything changed */
  const version = ref(0)
  /** bumped with `version`, but at most every READOUT_MS (the latest change always follows) */
  const readoutVersion = ref(0)
  let readoutAt = -Infinity
  let readoutTimer: ReturnType<typeof setTimeout> | undefined
  const bumpReadouts = (): void => {
    if (readoutTimer) return
    const wait = readoutAt + READOUT_MS - performance.now()
    const bump = (): void => {
      readoutTimer = undefined
      readoutAt = performance.now()
      readoutVersion.value++
    }
    if (wait <= 0) bump()
    else readoutTimer = setTimeout(bump, wait)
  }

  // Events and output arrive a message at a time (a build forks hundreds of times a second):
  // they collect here and are published with the frame, so what depends on them (the timeline's
  // markers, the console) is recomputed once per frame, not once per message.
  let eventsNow: SessionEvent[] = []
  let outputNow: OutputChunk[] = []
  let frame = 0
  const changed = (): void => {
    if (frame) return
    frame = requestAnimationFrame(() => {
      frame = 0
      if (events.value !== eventsNow) events.value = eventsNow
      if (output.value !== outputNow) output.value = outputNow
      version.value++
      bumpReadouts()
    })
  }

  // live messages that arrive while a snapshot is on its way are applied after it
  let queue: (() => void)[] | null = []
  const whenLoaded = (fn: () => void): void => {
    if (queue) queue.push(fn)
    else fn()
  }

  const addEvents = (evs: readonly SessionEvent[]): void => {
    const have = eventsNow
    const lastT = have[have.length - 1]?.t_ms ?? -1
    const fresh = evs.filter((e) => e.t_ms > lastT || (e.t_ms === lastT && !have.some((h) => h.t_ms === e.t_ms && sameEvent(h, e))))
    if (!fresh.length) return
    const all = have.concat(fresh)
    eventsNow = all.length > MAX_EVENTS ? all.slice(-MAX_EVENTS) : all
    changed()
  }

  const addOutput = (chunks: readonly OutputChunk[]): void => {
    const have = outputNow
    const lastT = have[have.length - 1]?.t_ms ?? -1
    const fresh = chunks.filter(
      (c) => c.t_ms > lastT || (c.t_ms === lastT && !have.some((h) => h.t_ms === c.t_ms && h.text === c.text && h.stream === c.stream))
    )
    if (!fresh.length) return
    outputNow = boundOutput(have.concat(fresh))
    changed()
  }

  const applyTicks = (b: TickBatch): void => {
    buffer.appendTree(b.tree)
    buffer.appendProcesses(b.processes)
    changed()
  }

  function applySnapshot(snap: SessionSnapshot, merge: boolean): void {
    info.value = snap.info
    warnings.value = snap.warnings
    processInfo.value = snap.processInfo
    for (const p of snap.processInfo) buffer.names.set(p.pid, p.comm)
    if (merge) {
      // after the end: only what came after the last live tick (the final ticks)
      buffer.appendTree(snap.tree)
      buffer.appendSeries(snap.processes)
    } else {
      buffer.load(snap)
      eventsNow = []
      outputNow = []
    }
    addEvents(snap.events)
    addOutput(snap.output)
    // a snapshot is one message: shown at once
    events.value = eventsNow
    output.value = outputNow
    changed()
  }

  async function load(): Promise<void> {
    loading.value = true
    const snap = await attempt(
      () => window.syscope.snapshot(sessionId, SNAPSHOT_POINTS),
      'Could not open the session',
      (m) => (loadError.value = m)
    )
    loading.value = false
    if (snap) {
      loadError.value = null
      applySnapshot(snap, false)
    }
    const pending = queue ?? []
    queue = null
    for (const fn of pending) fn()
  }

  const offs = [
    window.syscope.onTicks((b) => {
      if (b.sessionId === sessionId) whenLoaded(() => applyTicks(b))
    }),
    window.syscope.onEvent((m) => {
      if (m.sessionId !== sessionId) return
      whenLoaded(() => {
        addEvents([m.event])
        if (m.event.kind === 'exec') buffer.names.set(m.event.pid, m.event.comm)
      })
    }),
    window.syscope.onOutput((o) => {
      if (o.sessionId === sessionId) whenLoaded(() => addOutput([o]))
    }),
    window.syscope.onEnded((m) => {
      if (m.sessionId !== sessionId) return
      ended.value = m
      whenLoaded(() => {
        void attempt(() => window.syscope.snapshot(sessionId, SNAPSHOT_POINTS), 'Could not read the end of the session').then((snap) => {
          if (snap) applySnapshot(snap, true)
        })
      })
    })
  ]

  onScopeDispose(() => {
    for (const off of offs) off()
    if (frame) cancelAnimationFrame(frame)
    clearTimeout(readoutTimer)
  })

  return { buffer, info, events, output, warnings, processInfo, ended, loading, loadError, version, readoutVersion, load }
}

export type SessionData = ReturnType<typeof useSessionData>
