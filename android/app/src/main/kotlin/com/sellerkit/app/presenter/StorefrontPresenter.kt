package com.sellerkit.app.presenter

import com.sellerkit.core.LintFinding
import com.sellerkit.core.LintOverview
import com.sellerkit.core.LintSeverity
import com.sellerkit.core.ListingInfo
import com.sellerkit.core.PreviewDevice
import com.sellerkit.core.PreviewImage
import com.sellerkit.core.ProductEdit
import com.sellerkit.core.SellerAppInterface
import com.sellerkit.core.SellerKitException
import com.sellerkit.core.ShopEdit
import com.sellerkit.core.ShopInfo
import com.sellerkit.core.StorefrontConflict
import com.sellerkit.core.StorefrontPage
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
 * What the storefront screens show. Every word (findings, fixes, errors) comes from the core,
 * in the seller's language; money is fen, formatted with `formatMoney`.
 */
data class StorefrontState(
    val loading: Boolean = true,
    /** The lint of the shop and its listings; null before the first read. */
    val lint: LintOverview? = null,
    /** The page and the phone the preview shows. */
    val page: StorefrontPage = StorefrontPage.Home,
    val device: PreviewDevice = PreviewDevice.BUNDLED,
    /** The drawn preview (PNG bytes and size); null until drawn or when drawing failed. */
    val preview: PreviewImage? = null,
    val previewLoading: Boolean = false,
    /** Storefront edits the server did not accept, to settle with keep / reapply. */
    val conflicts: List<StorefrontConflict> = emptyList(),
    /** An edit is being saved: the forms disable their save button. */
    val saving: Boolean = false,
    /** Increases with every saved edit, so a form can close itself. */
    val savedCount: Int = 0,
    /** The conflict being settled right now. */
    val busyConflictId: Long? = null,
    /** The listing whose form is open, with its current values (unsynced edits included); null until read. */
    val listing: ListingInfo? = null,
    /** The shop profile with its current values, for its form; null until read, or before the first sync. */
    val shop: ShopInfo? = null,
    /** The open form's current values are being read. */
    val formLoading: Boolean = false,
    /** A failure to show, with the core's reason (an edit refusal names the field). */
    val error: UiError? = null,
) {
    /** Findings of the shop profile. */
    val shopFindings: List<LintFinding>
        get() = lint?.findings?.filter { it.productId == null }.orEmpty()

    /** Findings of one listing. */
    fun findingsOf(productId: String): List<LintFinding> =
        lint?.findings?.filter { it.productId == productId }.orEmpty()

    /** Listings with findings, errors first, each with its findings (errors first). */
    val productsWithFindings: List<Pair<String, List<LintFinding>>>
        get() = lint?.findings.orEmpty()
            .mapNotNull { f -> f.productId?.let { it to f } }
            .groupBy({ it.first }, { it.second })
            .map { (id, list) -> id to list.sortedBy { it.severity.ordinal } }
            .sortedBy { (_, list) -> list.minOf { it.severity.ordinal } }

    /** Whether any finding breaks a rule (severity error). */
    val hasErrors: Boolean
        get() = lint?.findings?.any { it.severity == LintSeverity.ERROR } == true
}

/**
 * The mobile storefront: lint findings with their fixes, the phone preview, edits of a listing
 * and of the shop (saved on the phone at once, synced with the next sync), and the conflicts of
 * those edits. A form starts from the current values: [openProduct] / [openShop] read them into
 * the state. Every call into the core runs on [io]; after each edit or settled conflict the
 * findings, the conflicts, the open forms' values and the preview are read again.
 */
class StorefrontPresenter(
    private val app: SellerAppInterface,
    private val scope: CoroutineScope,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val mutableState = MutableStateFlow(StorefrontState())

    /** The listing the seller opened last: a slower read of an earlier one must not replace it. */
    @Volatile
    private var openProductId: String? = null

    /** The screens' state. */
    val state: StateFlow<StorefrontState> = mutableState.asStateFlow()

    /** Reads the findings and the conflicts and draws the preview (when the screen shows, after each sync). */
    fun refresh(): Job = scope.launch {
        mutableState.update { it.copy(loading = true) }
        try {
            reload()
            mutableState.update { it.copy(loading = false) }
        } catch (e: SellerKitException) {
            mutableState.update { it.copy(loading = false, error = UiError.from(e)) }
        }
        draw()
    }

    /**
     * Opens listing [productId]'s form: its current values are read into [StorefrontState.listing].
     * An unknown listing (deleted by a sync) shows as `INVALID_INPUT` with the core's reason.
     */
    fun openProduct(productId: String): Job {
        openProductId = productId
        mutableState.update { it.copy(listing = it.listing?.takeIf { l -> l.id == productId }, formLoading = true, error = null) }
        return scope.launch {
            try {
                val listing = withContext(io) { app.listing(productId) }
                mutableState.update { if (openProductId == productId) it.copy(listing = listing, formLoading = false) else it }
            } catch (e: SellerKitException) {
                mutableState.update { if (openProductId == productId) it.copy(formLoading = false, error = UiError.from(e)) else it }
            }
        }
    }

    /** Closes the listing's form. */
    fun closeProduct() {
        openProductId = null
        mutableState.update { it.copy(listing = null, formLoading = false) }
    }

    /** Opens the shop's form: the profile's current values are read into [StorefrontState.shop] (null before the first sync). */
    fun openShop(): Job {
        mutableState.update { it.copy(formLoading = true, error = null) }
        return scope.launch {
            try {
                val shop = withContext(io) { app.shop() }
                mutableState.update { it.copy(shop = shop, formLoading = false) }
            } catch (e: SellerKitException) {
                mutableState.update { it.copy(formLoading = false, error = UiError.from(e)) }
            }
        }
    }

    /** Shows [page] on [device] in the preview. */
    fun showPreview(page: StorefrontPage, device: PreviewDevice = state.value.device): Job {
        mutableState.update { it.copy(page = page, device = device) }
        return scope.launch { draw() }
    }

    /**
     * Saves an edit of listing [productId]. Returns null (and does nothing) while another edit
     * is saved. A refused value shows as `INVALID_INPUT` with the core's reason; nothing was written.
     * A form may send every field: the core queues only the ones whose value changed.
     */
    fun editProduct(productId: String, edit: ProductEdit): Job? =
        save({ app.editProduct(productId, edit) }) { s, listing ->
            if (openProductId == listing.id) s.copy(listing = listing) else s
        }

    /** Saves an edit of the shop profile, as [editProduct]. */
    fun editShop(edit: ShopEdit): Job? = save({ app.editShop(edit) }) { s, shop -> s.copy(shop = shop) }

    /** Settles a conflict by keeping the server's values. Null while another is settled. */
    fun keepServer(conflictId: Long): Job? = settle(conflictId) { app.keepServer(conflictId) }

    /** Settles a conflict by applying the seller's edit again (it syncs with the next sync). */
    fun reapply(conflictId: Long): Job? = settle(conflictId) { app.reapply(conflictId) }

    /** Dismisses the error banner. */
    fun dismissError() = mutableState.update { it.copy(error = null) }

    private fun <T> save(call: () -> T, saved: (StorefrontState, T) -> StorefrontState): Job? {
        if (mutableState.value.saving) return null
        mutableState.update { it.copy(saving = true, error = null) }
        return scope.launch {
            try {
                val value = withContext(io) { call() }
                mutableState.update { saved(it, value) }
                reload()
                mutableState.update { it.copy(saving = false, savedCount = it.savedCount + 1) }
            } catch (e: SellerKitException) {
                mutableState.update { it.copy(saving = false, error = UiError.from(e)) }
                return@launch
            }
            draw()
        }
    }

    private fun settle(conflictId: Long, call: () -> Unit): Job? {
        if (mutableState.value.busyConflictId != null) return null
        mutableState.update { it.copy(busyConflictId = conflictId, error = null) }
        return scope.launch {
            try {
                withContext(io) { call() }
                reload()
                mutableState.update { it.copy(busyConflictId = null) }
            } catch (e: SellerKitException) {
                mutableState.update { it.copy(busyConflictId = null, error = UiError.from(e)) }
                return@launch
            }
            draw()
        }
    }

    /**
     * Reads the findings, the conflicts and the values of the open forms (a sync or a settled
     * conflict may have changed them). An open listing that is gone shows the core's reason.
     */
    private suspend fun reload() {
        val (lint, conflicts) = withContext(io) { app.lint() to app.storefrontConflicts() }
        mutableState.update { it.copy(lint = lint, conflicts = conflicts) }
        if (mutableState.value.shop != null) {
            val shop = withContext(io) { app.shop() }
            mutableState.update { it.copy(shop = shop) }
        }
        val open = mutableState.value.listing?.id ?: return
        try {
            val listing = withContext(io) { app.listing(open) }
            mutableState.update { if (it.listing?.id == open) it.copy(listing = listing) else it }
        } catch (e: SellerKitException) {
            mutableState.update { if (it.listing?.id == open) it.copy(listing = null, error = UiError.from(e)) else it }
        }
    }

    /** Draws the current page; a failure (no shop yet, no font) shows as the error. */
    private suspend fun draw() {
        val page = mutableState.value.page
        val device = mutableState.value.device
        mutableState.update { it.copy(previewLoading = true) }
        try {
            val image = withContext(io) { app.preview(page, device) }
            mutableState.update {
                // A newer request may have changed the page meanwhile: keep only the current one.
                if (it.page == page && it.device == device) it.copy(preview = image, previewLoading = false) else it
            }
        } catch (e: SellerKitException) {
            mutableState.update { it.copy(preview = null, previewLoading = false, error = UiError.from(e)) }
        }
    }
}
