// A tiny state-based router: which view is shown, and which sessions this window has open (the
// nav lists them). The URL is left alone: under `syscope serve` its fragment holds the token.
import { reactive, readonly } from 'vue'
import type { SessionInfo } from '@shared/contract'

export type ViewId = 'home' | 'attach' | 'sessions' | 'recordings' | 'compare' | 'setup'

export interface OpenSession {
  id: string
  title: string
  kind: SessionInfo['kind']
  state: SessionInfo['state']
}

const state = reactive({
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- reactive() would widen it to string
  view: 'home' as ViewId,
  /** the session shown when view is 'sessions'; null shows the list */
  sessionId: null as string | null,
  open: [] as OpenSession[],
  /** bumped to ask the launch form to take focus (Ctrl+L) */
  focusLaunch: 0
})

export const route = readonly(state)

export function navigate(view: ViewId): void {
  state.view = view
  if (view === 'sessions') state.sessionId = null
}

export function showSession(info: Pick<SessionInfo, 'id' | 'title' | 'kind' | 'state'>): void {
  rememberSession(info)
  state.view = 'sessions'
  state.sessionId = info.id
}

/** Add or update a session in the nav's list. */
export function rememberSession(info: Pick<SessionInfo, 'id' | 'title' | 'kind' | 'state'>): void {
  const entry = { id: info.id, title: info.title, kind: info.kind, state: info.state }
  const i = state.open.findIndex((s) => s.id === info.id)
  if (i >= 0) state.open[i] = entry
  else state.open.push(entry)
}

export function forgetSession(id: string): void {
  state.open = state.open.filter((s) => s.id !== id)
  if (state.sessionId === id) state.sessionId = null
}

export function focusLaunchForm(): void {
  state.view = 'home'
  state.focusLaunch++
}
