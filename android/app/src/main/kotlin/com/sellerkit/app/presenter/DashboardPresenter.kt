package com.sellerkit.app.presenter

import com.sellerkit.core.DashboardFigure
import com.sellerkit.core.DashboardInfo
import com.sellerkit.core.FigureUnit
import com.sellerkit.core.SellerAppInterface
import com.sellerkit.core.SellerKitException
import com.sellerkit.core.formatMoney
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/** The range chips, in display order (the core's spellings). */
val DASHBOARD_RANGES = listOf("today", "yesterday", "7d", "30d", "90d", "365d", "month", "last-month")

/** One row of the figures table, already formatted (the label comes from the core). */
data class FigureLine(
    val id: String,
    val label: String,
    val current: String,
    val previous: String,
    /** `+45.15%`, `-0.51%`, or for shares `+2.04` (points: the UI adds its word); `—` when undefined. */
    val change: String,
    /** The change is in percentage points (a share), not relative. */
    val changeInPoints: Boolean,
    /** Up, down or flat, for the arrow's colour; `null` when undefined. */
    val trend: Int?,
)

/** What the dashboard screen shows. */
data class DashboardState(
    val range: String = "30d",
    val loading: Boolean = true,
    val dashboard: DashboardInfo? = null,
    val lines: List<FigureLine> = emptyList(),
    /** Net sales per point of this period and of the previous one, fen, for the chart. */
    val trend: List<Long> = emptyList(),
    val previousTrend: List<Long> = emptyList(),
    /** Mobile share of orders per point, bps (`null`: no orders in that point). */
    val mobileShare: List<Int?> = emptyList(),
    /** Largest heatmap cell's orders, to scale the colours. */
    val heatmapMax: Long = 0,
    val lastSyncMs: Long? = null,
    val pendingChanges: Long = 0,
    val error: UiError? = null,
)

/** Undefined values: a symbol, not a word, so it needs no translation. */
const val NOT_AVAILABLE = "—"

/** `2738` bps as `27.38%`. */
fun formatBps(bps: Long): String {
    val sign = if (bps < 0) "-" else ""
    val abs = kotlin.math.abs(bps)
    return "$sign${abs / 100}.${(abs % 100).toString().padStart(2, '0')}%"
}

private fun formatValue(unit: FigureUnit, value: Long?): String = when {
    value == null -> NOT_AVAILABLE
    unit == FigureUnit.MONEY -> formatMoney(value)
    unit == FigureUnit.SHARE -> formatBps(value)
    else -> value.toString()
}

/** Formats one figure of the core's table. */
fun figureLine(f: DashboardFigure): FigureLine {
    val points = f.unit == FigureUnit.SHARE
    val change = when {
        points && f.delta != null -> {
            val d = f.delta!!
            (if (d >= 0) "+" else "-") + formatBps(kotlin.math.abs(d)).removeSuffix("%")
        }
        !points && f.relativeBps != null -> {
            val r = f.relativeBps!!.toLong()
            (if (r >= 0) "+" else "") + formatBps(r)
        }
        else -> NOT_AVAILABLE
    }
    return FigureLine(
        id = f.id,
        label = f.label,
        current = formatValue(f.unit, f.current),
        previous = formatValue(f.unit, f.previous),
        change = change,
        changeInPoints = points,
        trend = f.delta?.let { java.lang.Long.signum(it) },
    )
}

/** The dashboard screen: the core's figures for the chosen range, formatted for display. */
class DashboardPresenter(
    private val app: SellerAppInterface,
    private val scope: CoroutineScope,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val mutableState = MutableStateFlow(DashboardState())

    /** The screen's state. */
    val state: StateFlow<DashboardState> = mutableState.asStateFlow()

    /** Shows another range; an unknown one is left to the core to refuse. */
    fun select(range: String): Job {
        mutableState.update { it.copy(range = range) }
        return refresh()
    }

    /** Re-reads the dashboard (when the screen shows, after each sync). */
    fun refresh(): Job = scope.launch {
        val range = mutableState.value.range
        mutableState.update { it.copy(loading = true) }
        try {
            val board = withContext(io) { app.dashboard(range) }
            mutableState.update {
                it.copy(
                    loading = false,
                    dashboard = board,
                    lines = board.figures.map(::figureLine),
                    trend = board.series.current.map { p -> p.netSalesFen },
                    previousTrend = board.series.previous.map { p -> p.netSalesFen },
                    mobileShare = board.series.current.map { p -> p.mobileShareBps },
                    heatmapMax = board.heatmap.maxOfOrNull { c -> c.orders } ?: 0,
                    lastSyncMs = board.lastSyncMs,
                    pendingChanges = board.pendingChanges,
                    error = null,
                )
            }
        } catch (e: SellerKitException) {
            mutableState.update { it.copy(loading = false, error = UiError.from(e)) }
        }
    }
}
