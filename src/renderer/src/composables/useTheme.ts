// Light or dark, following the system (prefers-color-scheme) live; the listener goes with the
// component that asked.
import { onScopeDispose, readonly, ref, type Ref } from 'vue'

export function useDarkMode(): Readonly<Ref<boolean>> {
  const query = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null
  const dark = ref(query?.matches ?? false)
  const onChange = (e: MediaQueryListEvent): void => {
    dark.value = e.matches
  }
  query?.addEventListener('change', onChange)
  onScopeDispose(() => query?.removeEventListener('change', onChange))
  return readonly(dark)
}
