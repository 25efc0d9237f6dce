package com.sellerkit.app.presenter

import com.sellerkit.core.ChecklistCategory
import com.sellerkit.core.ChecklistOverview
import com.sellerkit.core.ChecklistTask
import com.sellerkit.core.ChecklistTaskState
import com.sellerkit.core.SellerAppInterface
import com.sellerkit.core.SellerKitException
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

/** One category's tasks, in the recommended order. */
data class ChecklistSection(val category: ChecklistCategory, val tasks: List<ChecklistTask>)

/** What the checklist screen shows. Every word comes from the core, in the seller's language. */
data class ChecklistState(
    val loading: Boolean = true,
    /** The whole checklist as the core computed it; null before the first read. */
    val overview: ChecklistOverview? = null,
    /** The tasks grouped by category (setup, mobile, marketing, legal), empty ones left out. */
    val sections: List<ChecklistSection> = emptyList(),
    /** The next recommended task, shown on top with its help. */
    val next: ChecklistTask? = null,
    /** The manual task being ticked or unticked right now. */
    val busyTaskId: String? = null,
    /** A failure to show: `CHECKLIST_REFUSED` with the core's reason and code, or another kind. */
    val error: UiError? = null,
) {
    /** Progress as a fraction for a progress bar (0 to 1). */
    val progress: Float
        get() = (overview?.progressBps?.toFloat() ?: 0f) / 10_000f
}

/**
 * The store-setup checklist: states, progress and the next task from the core, and ticks of
 * manual tasks. Automatic tasks follow the shop's data, so the screen refreshes after each
 * sync; only manual tasks that are in the seller's package offer a checkbox ([canToggle]).
 */
class ChecklistPresenter(
    private val app: SellerAppInterface,
    private val scope: CoroutineScope,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val mutableState = MutableStateFlow(ChecklistState())

    /** The screen's state. */
    val state: StateFlow<ChecklistState> = mutableState.asStateFlow()

    /** Re-reads the checklist (when the screen shows, after each sync). */
    fun refresh(): Job = scope.launch {
        mutableState.update { it.copy(loading = true) }
        try {
            val overview = withContext(io) { app.checklist() }
            show(overview, error = null)
        } catch (e: SellerKitException) {
            mutableState.update { it.copy(loading = false, error = UiError.from(e)) }
        }
    }

    /** Whether the screen offers a checkbox for [task]: manual and in the seller's package. */
    fun canToggle(task: ChecklistTask): Boolean =
        task.manual && task.state !is ChecklistTaskState.NotInTier

    /**
     * Ticks a manual task that is not done, unticks one that is. Returns null (and does
     * nothing) when the task offers no checkbox or another toggle runs. A refusal (a locked
     * task) shows as `CHECKLIST_REFUSED` with the core's reason; nothing was written.
     */
    fun toggle(taskId: String): Job? {
        val current = mutableState.value
        val task = current.overview?.tasks?.firstOrNull { it.id == taskId } ?: return null
        if (!canToggle(task) || current.busyTaskId != null) return null
        mutableState.update { it.copy(busyTaskId = taskId, error = null) }
        return scope.launch {
            try {
                val overview = withContext(io) {
                    if (task.state == ChecklistTaskState.Done) app.untickChecklistTask(taskId) else app.tickChecklistTask(taskId)
                    app.checklist()
                }
                show(overview, error = null)
            } catch (e: SellerKitException) {
                mutableState.update { it.copy(busyTaskId = null, error = UiError.from(e)) }
            }
        }
    }

    /** Dismisses the error banner. */
    fun dismissError() = mutableState.update { it.copy(error = null) }

    private fun show(overview: ChecklistOverview, error: UiError?) {
        val sections = ChecklistCategory.entries.mapNotNull { category ->
            overview.tasks.filter { it.category == category }.takeIf { it.isNotEmpty() }
                ?.let { ChecklistSection(category, it) }
        }
        mutableState.update {
            it.copy(
                loading = false,
                overview = overview,
                sections = sections,
                next = overview.tasks.firstOrNull { t -> t.id == overview.nextTaskId },
                busyTaskId = null,
                error = error,
            )
        }
    }
}
