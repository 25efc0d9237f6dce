// The checklist screen's presenter on the desktop JVM, against the real core and the dev
// server that PresenterTest.kt started: sections and progress from the synced demo shop, a
// manual task ticked and unticked, an automatic task offering no checkbox, a locked task's
// refusal shown with the core's code. Called from PresenterTest.kt's main on the activated,
// synced phone.
package com.sellerkit.app.presenter

import com.sellerkit.core.ChecklistCategory
import com.sellerkit.core.ChecklistTaskState
import com.sellerkit.core.SellerApp
import com.sellerkit.core.SellerKitException
import kotlinx.coroutines.CoroutineScope

internal fun checklistChecks(app: SellerApp, scope: CoroutineScope) {
    val presenter = ChecklistPresenter(app, scope)

    check("checklist: UiError maps ChecklistRefused with its code") {
        assertEquals(
            UiError(UiError.Kind.CHECKLIST_REFUSED, "locked", "locked"),
            UiError.from(SellerKitException.ChecklistRefused("locked", "locked")),
        )
    }

    check("checklist: the synced demo shop shows sections, progress and the next task") {
        presenter.refresh().join()
        val s = presenter.state.value
        assertEquals(null, s.error, "error")
        assertEquals(false, s.loading, "loading")
        val overview = s.overview ?: throw AssertionError("no checklist")
        assertEquals(
            listOf(ChecklistCategory.SETUP, ChecklistCategory.MOBILE, ChecklistCategory.MARKETING, ChecklistCategory.LEGAL),
            s.sections.map { it.category },
            "sections",
        )
        assertEquals(overview.tasks.size, s.sections.sumOf { it.tasks.size }, "every task in a section")
        assertTrue(overview.done > 0u && overview.done < overview.total) { "partly done: ${overview.done}/${overview.total}" }
        assertEquals(overview.progressBps.toFloat() / 10_000f, s.progress, "progress")
        assertEquals(overview.nextTaskId, s.next?.id, "next task")
        assertEquals(ChecklistTaskState.Ready, s.next?.state, "next is ready")
    }

    check("checklist: automatic and other-package tasks offer no checkbox; toggle does nothing") {
        val tasks = presenter.state.value.overview!!.tasks
        val auto = tasks.first { it.id == "shop_name" }
        val premium = tasks.first { it.id == "complaint_channel" }
        assertEquals(false, presenter.canToggle(auto), "automatic")
        assertEquals(false, presenter.canToggle(premium), "not in tier")
        assertEquals(null, presenter.toggle("shop_name"), "toggle automatic")
        assertEquals(null, presenter.toggle("no_such_task"), "toggle unknown")
    }

    check("checklist: a locked manual task's tick is refused with the core's reason, nothing written") {
        val before = app.status().pendingOutbox
        val locked = presenter.state.value.overview!!.tasks.first { it.id == "privacy_notice" }
        assertTrue(locked.state is ChecklistTaskState.Locked) { "privacy_notice: ${locked.state}" }
        presenter.toggle("privacy_notice")!!.join()
        val s = presenter.state.value
        assertEquals(UiError.Kind.CHECKLIST_REFUSED, s.error?.kind, "error kind")
        assertEquals("locked", s.error?.code, "code")
        assertTrue(s.error!!.reason.isNotBlank()) { "no reason" }
        assertEquals(null, s.busyTaskId, "busy")
        assertEquals(before, app.status().pendingOutbox, "outbox")
        presenter.dismissError()
        assertEquals(null, presenter.state.value.error, "dismissed")
    }

    check("checklist: ticking a manual task marks it done, unlocks its dependants and queues it") {
        val before = app.status().pendingOutbox
        presenter.toggle("service_auto_reply")!!.join()
        val s = presenter.state.value
        assertEquals(null, s.error, "error")
        val tasks = s.overview!!.tasks
        assertEquals(ChecklistTaskState.Done, tasks.first { it.id == "service_auto_reply" }.state, "ticked")
        assertEquals(ChecklistTaskState.Ready, tasks.first { it.id == "privacy_notice" }.state, "unlocked")
        assertEquals(before + 1, app.status().pendingOutbox, "outbox")
        presenter.toggle("service_auto_reply")!!.join()
        assertEquals(
            ChecklistTaskState.Ready,
            presenter.state.value.overview!!.tasks.first { it.id == "service_auto_reply" }.state,
            "unticked",
        )
    }
}
