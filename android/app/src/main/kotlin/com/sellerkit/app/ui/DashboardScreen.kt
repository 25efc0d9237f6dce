package com.sellerkit.app.ui

import android.text.format.DateUtils
import androidx.compose.foundation.Canvas
import androidx.compose.foundation.horizontalScroll
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.rememberScrollState
import androidx.compose.material3.Card
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.graphics.Path
import androidx.compose.ui.graphics.drawscope.DrawScope
import androidx.compose.ui.graphics.drawscope.Stroke
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import com.sellerkit.app.R
import com.sellerkit.app.presenter.DASHBOARD_RANGES
import com.sellerkit.app.presenter.DashboardPresenter
import com.sellerkit.app.presenter.FigureLine

/** The sales dashboard: range chips, freshness, the trend chart, figures, best sellers. */
@Composable
fun DashboardScreen(presenter: DashboardPresenter, onBack: () -> Unit) {
    val state by presenter.state.collectAsStateWithLifecycle()
    LaunchedEffect(Unit) { presenter.refresh() }
    LazyColumn(contentPadding = PaddingValues(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item {
            Row {
                TextButton(onClick = onBack) { Text(stringResource(R.string.dashboard_back)) }
                Text(stringResource(R.string.dashboard_title), style = MaterialTheme.typography.headlineSmall)
            }
        }
        item {
            Row(Modifier.horizontalScroll(rememberScrollState()), horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                DASHBOARD_RANGES.forEach { range ->
                    FilterChip(
                        selected = state.range == range,
                        onClick = { presenter.select(range) },
                        label = { Text(stringResource(rangeName(range))) },
                    )
                }
            }
        }
        item {
            val last = state.lastSyncMs?.let { DateUtils.getRelativeTimeSpanString(it).toString() }
            Text(stringResource(R.string.sync_last, last ?: stringResource(R.string.home_never)))
            if (state.pendingChanges > 0) Text(stringResource(R.string.home_pending, state.pendingChanges))
        }
        state.error?.let { item { ErrorMessage(it) } }
        if (state.trend.isNotEmpty()) {
            item {
                Card(Modifier.fillMaxWidth()) {
                    Column(Modifier.padding(12.dp)) {
                        Text(stringResource(R.string.dashboard_trend), style = MaterialTheme.typography.titleSmall)
                        TrendChart(state.trend, state.previousTrend)
                        Text(stringResource(R.string.dashboard_mobile_trend), style = MaterialTheme.typography.titleSmall)
                        ShareChart(state.mobileShare)
                    }
                }
            }
        }
        items(state.lines, key = { it.id }) { line -> FigureRow(line) }
        state.dashboard?.let { board ->
            item { Text(stringResource(R.string.dashboard_top_net), style = MaterialTheme.typography.titleMedium) }
            items(board.topByNetSales, key = { "net-" + it.key }) { p ->
                Text("${p.title}  ${com.sellerkit.core.formatMoney(p.netSalesFen)}  ×${p.units}")
            }
        }
    }
}

@Composable
private fun FigureRow(line: FigureLine) {
    Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.SpaceBetween) {
        Text(line.label, Modifier.weight(1f))
        Text(line.current, style = MaterialTheme.typography.titleSmall)
        val change = if (line.changeInPoints) stringResource(R.string.dashboard_points, line.change) else line.change
        val color = when (line.trend) {
            1 -> Color(0xFF1A9E55)
            -1 -> MaterialTheme.colorScheme.error
            else -> MaterialTheme.colorScheme.onSurface
        }
        Text("  $change", color = color)
    }
}

/** Net sales of this period (blue) over the previous one (grey), drawn from the core's series. */
@Composable
private fun TrendChart(current: List<Long>, previous: List<Long>) {
    val max = (current + previous).maxOrNull()?.coerceAtLeast(1) ?: 1
    val min = (current + previous).minOrNull()?.coerceAtMost(0) ?: 0
    Canvas(Modifier.fillMaxWidth().height(160.dp)) {
        line(previous.map { it.toFloat() }, min.toFloat(), max.toFloat(), Color.Gray, 2f)
        line(current.map { it.toFloat() }, min.toFloat(), max.toFloat(), Color(0xFF1F6FD1), 4f)
    }
}

/** Mobile share of orders per point (bps); points without orders leave a gap. */
@Composable
private fun ShareChart(share: List<Int?>) {
    val top = (share.filterNotNull().maxOrNull() ?: 1000).coerceAtLeast(1000).toFloat()
    Canvas(Modifier.fillMaxWidth().height(100.dp)) {
        line(share.map { it?.toFloat() }, 0f, top, Color(0xFF1A9E55), 4f)
    }
}

private fun DrawScope.line(values: List<Float?>, min: Float, max: Float, color: Color, width: Float) {
    if (values.size < 2 || max <= min) return
    val stepX = size.width / (values.size - 1)
    val path = Path()
    var pen = false
    values.forEachIndexed { i, v ->
        if (v == null) {
            pen = false
            return@forEachIndexed
        }
        val point = Offset(i * stepX, size.height - (v - min) / (max - min) * size.height)
        if (pen) path.lineTo(point.x, point.y) else path.moveTo(point.x, point.y)
        pen = true
    }
    drawPath(path, color, style = Stroke(width = width))
}

private fun rangeName(range: String): Int = when (range) {
    "today" -> R.string.range_today
    "yesterday" -> R.string.range_yesterday
    "7d" -> R.string.range_7d
    "30d" -> R.string.range_30d
    "90d" -> R.string.range_90d
    "365d" -> R.string.range_365d
    "month" -> R.string.range_month
    else -> R.string.range_last_month
}
