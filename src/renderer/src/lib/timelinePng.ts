// The timeline as one PNG: each chart's own image at its place, on the theme's background, with
// the title and the lane titles drawn in (on screen those are HTML over the charts).
import type { ECharts } from '../charts/echarts'
import type { ChartTheme } from '../charts/theme'
import { LAYOUT, type LaneBox, type LaneId } from '../charts/timeline'

export interface TimelinePicture {
  /** each chart and its top in px within the timeline */
  parts: { chart: ECharts | undefined; top: number }[]
  lanes: readonly LaneBox[]
  readouts: Record<LaneId, string>
  height: number
  title: string
  theme: ChartTheme
}

const PIXEL_RATIO = 2
const TITLE_HEIGHT = 24

function loadImage(url: string): Promise<HTMLImageElement> {
  const img = new Image()
  return new Promise((resolve, reject) => {
    img.onload = () => resolve(img)
    img.onerror = () => reject(new Error('could not draw the chart image'))
    img.src = url
  })
}

export async function composeTimelinePng(p: TimelinePicture): Promise<string | null> {
  const parts = p.parts.filter((x): x is { chart: ECharts; top: number } => !!x.chart)
  if (!parts.length) return null
  const th = p.theme
  const images = await Promise.all(parts.map((x) => loadImage(x.chart.getDataURL({ type: 'png', pixelRatio: PIXEL_RATIO, backgroundColor: th.background }))))
  const width = Math.max(...images.map((i) => i.width)) / PIXEL_RATIO
  const canvas = document.createElement('canvas')
  canvas.width = width * PIXEL_RATIO
  canvas.height = (p.height + TITLE_HEIGHT) * PIXEL_RATIO
  const g = canvas.getContext('2d')
  if (!g) return null
  g.scale(PIXEL_RATIO, PIXEL_RATIO)
  g.fillStyle = th.background
  g.fillRect(0, 0, width, p.height + TITLE_HEIGHT)
  images.forEach((img, i) => g.drawImage(img, 0, TITLE_HEIGHT + parts[i]!.top, img.width / PIXEL_RATIO, img.height / PIXEL_RATIO))
  g.fillStyle = th.text
  g.font = '600 13px system-ui, sans-serif'
  g.fillText(p.title, LAYOUT.left, 16)
  for (const lane of p.lanes) {
    g.font = '600 11px system-ui, sans-serif'
    g.fillStyle = th.text
    g.fillText(lane.title, 8, TITLE_HEIGHT + lane.headerTop + 13)
    g.font = '11px ui-monospace, monospace'
    g.fillStyle = th.muted
    const r = p.readouts[lane.id]
    g.fillText(r, width - LAYOUT.right - g.measureText(r).width, TITLE_HEIGHT + lane.headerTop + 13)
  }
  return canvas.toDataURL('image/png')
}
