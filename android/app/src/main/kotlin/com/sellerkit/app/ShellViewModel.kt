package com.sellerkit.app

import android.app.Application
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import com.sellerkit.app.platform.SyncWorker
import com.sellerkit.app.presenter.ActivationPresenter
import com.sellerkit.app.presenter.ChecklistPresenter
import com.sellerkit.app.presenter.HomePresenter
import com.sellerkit.app.presenter.Startup
import com.sellerkit.app.presenter.SyncPresenter
import com.sellerkit.app.presenter.DashboardPresenter
import com.sellerkit.app.presenter.StorefrontPresenter
import com.sellerkit.app.presenter.WalletPresenter
import com.sellerkit.core.SellerApp
import kotlinx.coroutines.flow.StateFlow

/**
 * Keeps the presenters (and a running sync) alive across configuration changes; their
 * coroutines live as long as the activity's task. The presenters exist once the database
 * is open ([startup] is [Startup.Ready]); until then the root shows the splash.
 */
class ShellViewModel(application: Application) : AndroidViewModel(application) {
    /** The start: Opening (splash), Ready, or Failed. */
    val startup: StateFlow<Startup> = (application as SellerKitApplication).startup.state

    /** The screens' presenters over the opened app. */
    class Screens(app: SellerApp, model: ShellViewModel) {
        val activation = ActivationPresenter(app, model.viewModelScope)
        val sync = SyncPresenter(app, model.viewModelScope)
        val home = HomePresenter(app, model.viewModelScope)
        val wallet = WalletPresenter(app, model.viewModelScope)
        val checklist = ChecklistPresenter(app, model.viewModelScope)
        val dashboard = DashboardPresenter(app, model.viewModelScope)
        val storefront = StorefrontPresenter(app, model.viewModelScope)
    }

    private var screens: Screens? = null

    /** The presenters for the ready app, made once. */
    fun screens(ready: Startup.Ready): Screens = screens ?: Screens(ready.app, this).also { screens = it }

    /** After a successful activation: background sync from now on. */
    fun onActivated() = SyncWorker.schedule(getApplication())
}
