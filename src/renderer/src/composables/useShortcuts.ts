// Keyboard shortcuts on the window, removed with the component. Keys are written like
// "Ctrl+L", "Ctrl+1", "Escape", "/"; plain keys are ignored while typing in a field.
import { onScopeDispose } from 'vue'

export type Shortcuts = Record<string, (e: KeyboardEvent) => void>

export function shortcutOf(e: KeyboardEvent): string {
  const mods = `${e.ctrlKey || e.metaKey ? 'Ctrl+' : ''}${e.altKey ? 'Alt+' : ''}${e.shiftKey && e.key.length > 1 ? 'Shift+' : ''}`
  const key = e.key.length === 1 ? e.key.toUpperCase() : e.key
  return mods + key
}

function typing(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null
  if (!t || typeof t.closest !== 'function') return false
  return !!t.closest('input, textarea, select, [contenteditable="true"]')
}

export function useShortcuts(map: Shortcuts): void {
  const onKey = (e: KeyboardEvent): void => {
    const combo = shortcutOf(e)
    const fn = map[combo]
    if (!fn) return
    // Ctrl combinations work everywhere; a plain key only outside text fields
    if (!combo.startsWith('Ctrl+') && !combo.startsWith('Alt+') && typing(e)) return
    e.preventDefault()
    fn(e)
  }
  window.addEventListener('keydown', onKey)
  onScopeDispose(() => window.removeEventListener('keydown', onKey))
}
