import { createApp } from 'vue'
import App from './App.vue'
import { installHttpBridge } from './bridge/http'

// In a browser served by `syscope serve`, the contract comes over HTTP; in Electron, the preload.
installHttpBridge()
createApp(App).mount('#app')
