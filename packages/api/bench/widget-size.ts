/**
 * The built widget's budgets as the build checks them (packages/widget/scripts/size.ts): the
 * first load (widget.js) and the most a full page view loads (with the parts on demand).
 */
import { fileURLToPath } from 'node:url'
import { widgetSizes, type WidgetSizes } from '../../widget/scripts/size.ts'

export const WIDGET_DIST = fileURLToPath(new URL('../../widget/dist/', import.meta.url))
export type WidgetSize = WidgetSizes

export const widgetSize = (dist = WIDGET_DIST): WidgetSize | null => widgetSizes(dist)
