/// <reference types="vite/client" />
import type { SyscopeApi } from '../../shared/contract'

declare global {
  interface Window {
    syscope: SyscopeApi
  }
}

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}
