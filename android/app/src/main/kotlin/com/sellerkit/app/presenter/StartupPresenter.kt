package com.sellerkit.app.presenter

import com.sellerkit.core.SellerApp
import com.sellerkit.core.SellerKitException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch

/** Where the app's start stands: the splash shows while [Opening]. */
sealed interface Startup {
    /** The database is being opened (migrations, integrity check): show the splash. */
    data object Opening : Startup

    /** Ready: the shared [app], and whether to start on the home screen. */
    data class Ready(val app: SellerApp, val activated: Boolean) : Startup

    /** The database could not be opened (damaged, too new, disk full): say so. */
    data class Failed(val error: UiError) : Startup
}

/**
 * Opens the core off the main thread. `SellerApp.open` runs the schema migrations and an
 * integrity check, and `isActivated` reads the database and the Keystore: both block, so
 * they run on [io] (Dispatchers.IO in the app), never on the main thread, while the
 * screens show a splash. The sync worker and the view model wait for [awaitApp].
 */
class StartupPresenter(
    scope: CoroutineScope,
    io: CoroutineDispatcher,
    open: () -> SellerApp,
) {
    private val _state = MutableStateFlow<Startup>(Startup.Opening)
    val state: StateFlow<Startup> = _state.asStateFlow()
    private val opened = CompletableDeferred<SellerApp>()

    init {
        scope.launch(io) {
            try {
                val app = open()
                val activated = app.isActivated()
                opened.complete(app)
                _state.value = Startup.Ready(app, activated)
            } catch (e: SellerKitException) {
                opened.completeExceptionally(e)
                _state.value = Startup.Failed(UiError.from(e))
            }
        }
    }

    /** The opened app; throws the open's [SellerKitException] if it failed. */
    suspend fun awaitApp(): SellerApp = opened.await()
}
