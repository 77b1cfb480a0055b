// The only place ECharts is imported: exactly the charts and components syscope draws, with the
// canvas renderer (no SVG strings, nothing the CSP would refuse).
import { use, init, type ECharts } from 'echarts/core'
import { BarChart, CustomChart, LineChart, PieChart, ScatterChart } from 'echarts/charts'
import { DataZoomComponent, GridComponent, LegendComponent, MarkAreaComponent, TitleComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

use([
  LineChart,
  BarChart,
  PieChart,
  ScatterChart,
  CustomChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomComponent,
  MarkAreaComponent,
  TitleComponent,
  CanvasRenderer
])

export { init, type ECharts }
