import { createApp } from 'vue'
import App from './App.vue'
import { installHttpBridge } from './bridge/http'
import { errorMessage, notify } from './lib/notify'
import './styles.css'

// In a browser served by `syscope serve` the contract comes over HTTP; in Electron, the preload.
installHttpBridge({ onConnectionLost: (m) => notify(m) })
// belt and braces: calls go through `attempt`, but nothing rejected may pass silently
window.addEventListener('unhandledrejection', (e) => {
  e.preventDefault()
  notify(errorMessage(e.reason))
})
createApp(App).mount('#app')
