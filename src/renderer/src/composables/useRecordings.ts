// The recordings list, and opening one (by path) as a session.
import { onMounted, ref, shallowRef } from 'vue'
import type { RecordingEntry, SessionInfo } from '@shared/contract'
import { attempt } from '../lib/notify'

export function useRecordings() {
  const recordings = shallowRef<RecordingEntry[]>([])
  const error = ref<string | null>(null)
  const loading = ref(false)

  async function refresh(): Promise<void> {
    loading.value = true
    const list = await attempt(
      () => window.syscope.listRecordings(),
      'Listing recordings',
      (m) => (error.value = m)
    )
    loading.value = false
    if (list) {
      recordings.value = list
      error.value = null
    }
  }

  async function open(path: string): Promise<SessionInfo | null> {
    if (!path.trim()) return null
    return attempt(() => window.syscope.openRecording(path.trim()), 'Open recording')
  }

  /** The file dialog (Electron); null when cancelled or when there is none (a browser). */
  async function pick(): Promise<string | null> {
    return attempt(() => window.syscope.pickFile('recording'), 'Choose a recording')
  }

  onMounted(refresh)
  return { recordings, error, loading, refresh, open, pick }
}
