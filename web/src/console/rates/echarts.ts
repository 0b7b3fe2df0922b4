// Only the ECharts parts the rates screens draw (bars, lines, axes, tooltip, legend, the
// accessible description), in the lazily loaded chunk of those screens.
import { BarChart, LineChart } from 'echarts/charts'
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import * as echarts from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, CanvasRenderer])

export { echarts }
export type { EChartsCoreOption } from 'echarts/core'
