package com.sellerkit.app.presenter

import com.sellerkit.core.CancelHandle
import com.sellerkit.core.SellerAppInterface
import com.sellerkit.core.SellerKitException
import com.sellerkit.core.SyncEvent
import com.sellerkit.core.SyncListener
import com.sellerkit.core.SyncPhase
import com.sellerkit.core.SyncProgress
import com.sellerkit.core.SyncSummary
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
import java.util.concurrent.atomic.AtomicReference

/** How far one phase of a sync got. [total] is null while the core cannot know it yet. */
data class PhaseProgress(val done: ULong, val total: ULong?) {
    /** 0..1 for a determinate progress bar, or null for an indeterminate one. */
    val fraction: Float?
        get() = total?.takeIf { it > 0uL }?.let { (done.toDouble() / it.toDouble()).coerceIn(0.0, 1.0).toFloat() }
}

/** What the sync screen shows. */
data class SyncState(
    val running: Boolean = false,
    /** The seller pressed cancel; the core stops at its next safe point. */
    val cancelling: Boolean = false,
    /** The phase the core reported last while running. */
    val phase: SyncPhase? = null,
    /** Progress of each phase seen in the current (or last) sync: one bar per phase. */
    val progress: Map<SyncPhase, PhaseProgress> = emptyMap(),
    /** The last finished sync's figures. */
    val lastSummary: SyncSummary? = null,
    /** When the last sync succeeded (UTC ms), from the core's status. */
    val lastSyncMs: Long? = null,
    /** Why the last sync failed, if it did. */
    val error: UiError? = null,
    /** The last sync was cancelled; what it had committed stays. */
    val cancelled: Boolean = false,
)

/**
 * The sync screen: starts a sync, shows its progress phase by phase, cancels it, and shows
 * how the last one ended. Progress comes from the core on its own threads;
 * [MutableStateFlow.update] makes that safe.
 */
class SyncPresenter(
    private val app: SellerAppInterface,
    private val scope: CoroutineScope,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val mutableState = MutableStateFlow(SyncState())
    private val cancel = AtomicReference<CancelHandle?>(null)

    /** The screen's state. */
    val state: StateFlow<SyncState> = mutableState.asStateFlow()

    private val listener = object : SyncListener {
        override fun onProgress(progress: SyncProgress) {
            mutableState.update {
                it.copy(
                    phase = progress.phase,
                    progress = it.progress + (progress.phase to PhaseProgress(progress.done, progress.total)),
                )
            }
        }

        // The outcome comes from sync()'s result or exception; events only mark the start.
        override fun onEvent(event: SyncEvent) {
            if (event is SyncEvent.Started) mutableState.update { it.copy(progress = emptyMap(), phase = null) }
        }
    }

    /** Reads the last sync time and error the core recorded (e.g. by the background worker). */
    fun refresh(): Job = scope.launch { readStatus() }

    private suspend fun readStatus() {
        try {
            val status = withContext(io) { app.status() }
            mutableState.update { it.copy(lastSyncMs = status.lastSyncMs) }
        } catch (e: SellerKitException) {
            mutableState.update { it.copy(error = UiError.from(e)) }
        }
    }

    /** Starts a sync unless one is running; returns its job, or null. */
    fun start(): Job? {
        val handle = CancelHandle()
        if (!cancel.compareAndSet(null, handle)) return null
        mutableState.update {
            it.copy(running = true, cancelling = false, cancelled = false, error = null, phase = null, progress = emptyMap())
        }
        return scope.launch {
            try {
                val summary = app.sync(listener, handle)
                mutableState.update { it.copy(lastSummary = summary) }
            } catch (e: SellerKitException.Cancelled) {
                mutableState.update { it.copy(cancelled = true) }
            } catch (e: SellerKitException) {
                mutableState.update { it.copy(error = UiError.from(e)) }
            } finally {
                cancel.set(null)
                mutableState.update { it.copy(running = false, cancelling = false, phase = null) }
            }
            readStatus()
        }
    }

    /** Asks the running sync to stop; a no-op when none runs. */
    fun cancel() {
        val handle = cancel.get() ?: return
        mutableState.update { it.copy(cancelling = true) }
        handle.cancel()
    }
}
