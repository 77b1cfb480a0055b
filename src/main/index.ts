// The Electron entry: window, security settings and IPC wiring only. All behaviour lives in
// plain Node modules (./api/backend) that the CLI and `syscope serve` share.
import { app, BrowserWindow, dialog, ipcMain, session, shell, type IpcMainInvokeEvent } from 'electron'
import { join } from 'node:path'
import { ApiMethods, Events, type ApiMethod } from '../shared/contract'
import { createBackend, type Backend } from './api/backend'
import { handleApiCall } from './api/dispatch'

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

let win: BrowserWindow | null = null

function createWindow(): BrowserWindow {
  const w = new BrowserWindow({
    width: 1400,
    height: 900,
    show: false,
    title: 'syscope',
    autoHideMenuBar: true,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false
    }
  })
  w.once('ready-to-show', () => w.show())
  // No new windows and no navigation away from the app; links open in the user's browser.
  w.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url)
    return { action: 'deny' }
  })
  w.webContents.on('will-navigate', (e) => e.preventDefault())
  if (process.env.ELECTRON_RENDERER_URL) void w.loadURL(process.env.ELECTRON_RENDERER_URL)
  else void w.loadFile(join(import.meta.dirname, '../renderer/index.html'))
  return w
}

/** Only our own page may call the API: a frame from anywhere else is refused. */
function trustedSender(e: IpcMainInvokeEvent): boolean {
  const url = e.senderFrame?.url ?? ''
  return url.startsWith('file://') || (!!process.env.ELECTRON_RENDERER_URL && url.startsWith(process.env.ELECTRON_RENDERER_URL))
}

function wireIpc(backend: Backend): void {
  for (const [method, channel] of Object.entries(ApiMethods) as [ApiMethod, string][]) {
    ipcMain.handle(channel, (e, ...args: unknown[]) => {
      if (!trustedSender(e)) return { ok: false, error: { code: 'EACCES', message: 'untrusted sender' } }
      return handleApiCall(backend, method, args)
    })
  }
  backend.events.on(Events.sessionTicks, (p) => win?.webContents.send(Events.sessionTicks, p))
  backend.events.on(Events.sessionEvent, (p) => win?.webContents.send(Events.sessionEvent, p))
  backend.events.on(Events.sessionOutput, (p) => win?.webContents.send(Events.sessionOutput, p))
  backend.events.on(Events.sessionEnded, (p) => win?.webContents.send(Events.sessionEnded, p))
}

async function pickFile(purpose: 'program' | 'recording'): Promise<string | null> {
  const options: Electron.OpenDialogOptions = {
    title: purpose === 'program' ? 'Choose a program to profile' : 'Open a recording',
    properties: ['openFile'],
    filters: purpose === 'recording' ? [{ name: 'syscope recordings', extensions: ['syscope'] }] : []
  }
  const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
  return r.canceled ? null : (r.filePaths[0] ?? null)
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore()
      win.focus()
    }
  })
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (e) => e.preventDefault())
  })
  void app.whenReady().then(() => {
    session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
      cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } })
    })
    session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false))
    const backend = createBackend({ pickFile, dataDir: app.getPath('userData'), appPath: app.getAppPath() })
    wireIpc(backend)
    win = createWindow()
    app.on('before-quit', () => void backend.shutdown())
  })
  app.on('window-all-closed', () => app.quit())
}
