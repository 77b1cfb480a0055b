// Exposes exactly one function per contract method on `window.syscope`; nothing else of
// Electron or Node reaches the page.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { ApiMethods, Events, type ApiMethod, type ApiReply, type SyscopeApi } from '../shared/contract'

class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string
  ) {
    super(message)
  }
}

async function call<T>(method: ApiMethod, ...args: unknown[]): Promise<T> {
  const reply = (await ipcRenderer.invoke(ApiMethods[method], ...args)) as ApiReply<T>
  if (reply.ok) return reply.value
  throw new ApiError(reply.error.message, reply.error.code)
}

function subscribe<T>(channel: string, cb: (payload: T) => void): () => void {
  const listener = (_e: IpcRendererEvent, payload: T): void => cb(payload)
  ipcRenderer.on(channel, listener)
  return () => ipcRenderer.removeListener(channel, listener)
}

const api: SyscopeApi = {
  ebpfStatus: () => call('ebpfStatus'),
  launch: (req) => call('launch', req),
  attach: (req) => call('attach', req),
  stop: (id) => call('stop', id),
  detach: (id) => call('detach', id),
  listSessions: () => call('listSessions'),
  snapshot: (id, maxPoints) => call('snapshot', id, maxPoints),
  breakdown: (id, from, to) => call('breakdown', id, from, to),
  detail: (id, from, to, pid) => call('detail', id, from, to, pid),
  latency: (id, from, to, pid) => call('latency', id, from, to, pid),
  wallTime: (id, from, to) => call('wallTime', id, from, to),
  disk: (id, from, to) => call('disk', id, from, to),
  listProcesses: () => call('listProcesses'),
  listRecordings: () => call('listRecordings'),
  openRecording: (path) => call('openRecording', path),
  exportRecording: (id, format) => call('exportRecording', id, format),
  compare: (a, b) => call('compare', a, b),
  pickFile: (purpose) => call('pickFile', purpose),
  setupDiagnose: () => call('setupDiagnose'),
  setupPlan: () => call('setupPlan'),
  setupApply: () => call('setupApply'),
  setupUndo: () => call('setupUndo'),
  onTicks: (cb) => subscribe(Events.sessionTicks, cb),
  onEvent: (cb) => subscribe(Events.sessionEvent, cb),
  onOutput: (cb) => subscribe(Events.sessionOutput, cb),
  onEnded: (cb) => subscribe(Events.sessionEnded, cb)
}

contextBridge.exposeInMainWorld('syscope', api)
