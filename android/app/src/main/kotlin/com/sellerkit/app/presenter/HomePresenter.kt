package com.sellerkit.app.presenter

import com.sellerkit.core.ConflictInfo
import com.sellerkit.core.SellerAppInterface
import com.sellerkit.core.SellerKitException
import com.sellerkit.core.Tier
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

/**
 * The home screen's feature cards. Each later issue turns its placeholder into the real card
 * (checklist, analytics, the coupon wallet, the storefront preview).
 */
enum class FeatureCard { CHECKLIST, ANALYTICS, WALLET, STOREFRONT }

/** What the home screen shows. */
data class HomeState(
    val loading: Boolean = true,
    val shopName: String? = null,
    val tier: Tier? = null,
    val products: Long = 0,
    val orders: Long = 0,
    val pendingOutbox: Long = 0,
    val openConflicts: Long = 0,
    val lastSyncMs: Long? = null,
    val lastSyncError: String? = null,
    val conflicts: List<ConflictInfo> = emptyList(),
    /** Cards in display order; all placeholders until their issues land. */
    val cards: List<FeatureCard> = FeatureCard.entries,
    val error: UiError? = null,
)

/** The home screen: the shop at a glance, from quick local reads of the core's database. */
class HomePresenter(
    private val app: SellerAppInterface,
    private val scope: CoroutineScope,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val mutableState = MutableStateFlow(HomeState())

    /** The screen's state. */
    val state: StateFlow<HomeState> = mutableState.asStateFlow()

    /** Re-reads the shop (after activation, after each sync, when the screen shows). */
    fun refresh(): Job = scope.launch {
        mutableState.update { it.copy(loading = true) }
        try {
            // Local reads are quick, but SQLite still belongs off the UI thread.
            val (status, conflicts) = withContext(io) { app.status() to app.conflicts() }
            mutableState.update {
                it.copy(
                    loading = false,
                    shopName = status.shopName,
                    tier = status.tier,
                    products = status.products,
                    orders = status.orders,
                    pendingOutbox = status.pendingOutbox,
                    openConflicts = status.openConflicts,
                    lastSyncMs = status.lastSyncMs,
                    lastSyncError = status.lastSyncError,
                    conflicts = conflicts,
                    error = null,
                )
            }
        } catch (e: SellerKitException) {
            mutableState.update { it.copy(loading = false, error = UiError.from(e)) }
        }
    }
}
