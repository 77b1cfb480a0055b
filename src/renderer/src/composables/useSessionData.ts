// A session's data in the renderer: the snapshot, then live ticks appended into bounded
// buffers. Charts are rebuilt at most once per animation frame, not per tick.
import { onBeforeUnmount, ref, shallowRef } from 'vue'
import type { OutputChunk, SessionEvent, SessionInfo, TreePoint } from '@shared/contract'
import { decimateIndices } from '@shared/decimate'
import type { ProcessSeries } from '../charts/timeline'
import { attempt } from '../lib/notify'

/** beyond this many points per series, halve by LTTB: a one-hour 10 Hz session stays light */
export const MAX_POINTS = 8000

function bound<T>(xs: T[], y: (x: T) => number): T[] {
  if (xs.length <= MAX_POINTS) return xs
  return decimateIndices(xs.length, MAX_POINTS / 2, (i) => y(xs[i]!)).map((i) => xs[i]!)
}

export function useSessionData(sessionId: string) {
  const info = ref<SessionInfo | null>(null)
  const tree = shallowRef<TreePoint[]>([])
  const processes = shallowRef<ProcessSeries[]>([])
  const events = shallowRef<SessionEvent[]>([])
  const output = shallowRef<OutputChunk[]>([])
  const warnings = ref<string[]>([])
  const version = ref(0) // bumped once per frame when anything changed
  let frame = 0
  const changed = (): void => {
    if (frame) return
    frame = requestAnimationFrame(() => {
      frame = 0
      version.value++
    })
  }

  async function load(): Promise<void> {
    const snap = await attempt(() => window.syscope.snapshot(sessionId, 2000))
    if (!snap) return
    info.value = snap.info
    tree.value = snap.tree
    processes.value = snap.processes.map((p) => ({ pid: p.pid, comm: p.comm, points: p.points }))
    events.value = snap.events
    output.value = snap.output
    warnings.value = snap.warnings
    changed()
  }

  const offs = [
    window.syscope.onTicks((b) => {
      if (b.sessionId !== sessionId) return
      tree.value = bound([...tree.value, ...b.tree], (p) => p.cpu_pct ?? 0)
      const byPid = new Map(processes.value.map((p) => [p.pid, p]))
      for (const tick of b.processes) {
        for (const pt of tick.points) {
          let s = byPid.get(pt.pid)
          if (!s) byPid.set(pt.pid, (s = { pid: pt.pid, comm: String(pt.pid), points: [] }))
          s.points.push({ t_ms: tick.t_ms, cpu_user_pct: pt.cpu_user_pct, cpu_system_pct: pt.cpu_system_pct })
          if (s.points.length > MAX_POINTS) s.points = bound(s.points, (x) => (x.cpu_user_pct ?? 0) + (x.cpu_system_pct ?? 0))
        }
      }
      processes.value = [...byPid.values()]
      changed()
    }),
    window.syscope.onEvent((m) => {
      if (m.sessionId !== sessionId) return
      events.value = [...events.value, m.event]
      changed()
    }),
    window.syscope.onOutput((o) => {
      if (o.sessionId !== sessionId) return
      output.value = [...output.value.slice(-2000), o]
      changed()
    }),
    window.syscope.onEnded((m) => {
      if (m.sessionId !== sessionId) return
      void load()
    })
  ]

  onBeforeUnmount(() => {
    for (const off of offs) off()
    if (frame) cancelAnimationFrame(frame)
  })

  return { info, tree, processes, events, output, warnings, version, load }
}
