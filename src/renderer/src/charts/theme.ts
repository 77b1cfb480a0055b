// Colours of everything a chart draws that is not a syscall category (those come from
// src/shared/syscalls: one colour per category everywhere), for the light and the dark theme.
import type { CategoryId } from '@shared/contract'
import { categoryInfo } from '@shared/syscalls/index'
import { formatOffset, isLongRun } from '../lib/format'

export interface ChartTheme {
  text: string
  muted: string
  axis: string
  split: string
  background: string
  tooltipBg: string
  gapShade: string
  cpu: string
  rss: string
  pss: string
  read: string
  write: string
  threads: string
  fds: string
  errors: string
  /** per-process lines, in rank order */
  processes: readonly string[]
  fork: string
  exec: string
  exit: string
  exitBad: string
  /** thread states, as Perfetto colours them: running, runnable, sleeping, uninterruptible */
  stateRunning: string
  stateRunnable: string
  stateSleep: string
  stateDisk: string
}

const LIGHT: ChartTheme = {
  text: '#1d1d1f',
  muted: '#6b6b70',
  axis: '#b8b8c0',
  split: '#ececf0',
  background: '#ffffff',
  tooltipBg: 'rgba(255,255,255,0.96)',
  gapShade: 'rgba(120,120,130,0.18)',
  cpu: '#1d4ed8',
  rss: '#7c3aed',
  pss: '#c026d3',
  read: '#0f766e',
  write: '#c2410c',
  threads: '#4d7c0f',
  fds: '#a16207',
  errors: '#dc2626',
  processes: ['#0891b2', '#ca8a04', '#9333ea', '#16a34a', '#e11d48', '#475569', '#ea580c', '#2563eb'],
  fork: '#15803d',
  exec: '#2563eb',
  exit: '#6b7280',
  exitBad: '#dc2626',
  stateRunning: '#15803d',
  stateRunnable: '#a3e635',
  stateSleep: '#d4d4d8',
  stateDisk: '#ea580c'
}

const DARK: ChartTheme = {
  ...LIGHT,
  text: '#e6e6e9',
  muted: '#9a9aa2',
  axis: '#55565e',
  split: '#2c2d33',
  background: '#1e1f23',
  tooltipBg: 'rgba(32,33,37,0.96)',
  gapShade: 'rgba(160,160,170,0.16)',
  cpu: '#60a5fa',
  rss: '#a78bfa',
  pss: '#e879f9',
  read: '#2dd4bf',
  write: '#fb923c',
  threads: '#a3e635',
  fds: '#facc15',
  errors: '#f87171',
  processes: ['#22d3ee', '#fde047', '#c084fc', '#4ade80', '#fb7185', '#94a3b8', '#fdba74', '#93c5fd'],
  fork: '#4ade80',
  exec: '#60a5fa',
  exit: '#9ca3af',
  exitBad: '#f87171',
  stateRunning: '#22c55e',
  stateRunnable: '#d9f99d',
  stateSleep: '#3f3f46',
  stateDisk: '#fb923c'
}

export function chartTheme(dark: boolean): ChartTheme {
  return dark ? DARK : LIGHT
}

export const categoryColor = (id: CategoryId): string => categoryInfo(id).color
export const categoryLabel = (id: CategoryId): string => categoryInfo(id).label

/** The x axis of a chart under the timeline (thread lanes, rate charts): a range's seconds,
 * labelled as offsets into the session (minutes past ten). */
export function rangeTimeAxis(t: ChartTheme, fromMs: number, toMs: number): Record<string, unknown> {
  const longRun = isLongRun(toMs - fromMs)
  return {
    type: 'value',
    min: fromMs / 1000,
    max: toMs / 1000,
    ...axisStyle(t),
    axisLabel: { color: t.muted, fontSize: 11, hideOverlap: true, formatter: (v: number) => formatOffset(v * 1000, longRun) },
    splitLine: { show: false }
  }
}

/** Axis and tooltip styling every chart shares. */
export function axisStyle(t: ChartTheme): Record<string, unknown> {
  return {
    axisLine: { lineStyle: { color: t.axis } },
    axisTick: { lineStyle: { color: t.axis } },
    axisLabel: { color: t.muted, fontSize: 11 },
    splitLine: { lineStyle: { color: t.split } },
    nameTextStyle: { color: t.muted }
  }
}

export function tooltipStyle(t: ChartTheme): Record<string, unknown> {
  return {
    backgroundColor: t.tooltipBg,
    borderColor: t.axis,
    textStyle: { color: t.text, fontSize: 12 },
    confine: true
  }
}
