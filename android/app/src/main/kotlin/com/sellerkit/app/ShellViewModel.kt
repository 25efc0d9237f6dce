package com.sellerkit.app

import android.app.Application
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import com.sellerkit.app.platform.SyncWorker
import com.sellerkit.app.presenter.ActivationPresenter
import com.sellerkit.app.presenter.HomePresenter
import com.sellerkit.app.presenter.SyncPresenter
import com.sellerkit.app.presenter.DashboardPresenter
import com.sellerkit.app.presenter.WalletPresenter

/**
 * Keeps the presenters (and a running sync) alive across configuration changes; their
 * coroutines live as long as the activity's task.
 */
class ShellViewModel(application: Application) : AndroidViewModel(application) {
    private val app = (application as SellerKitApplication).sellerApp

    val activation = ActivationPresenter(app, viewModelScope)
    val sync = SyncPresenter(app, viewModelScope)
    val home = HomePresenter(app, viewModelScope)
    val wallet = WalletPresenter(app, viewModelScope)
    val dashboard = DashboardPresenter(app, viewModelScope)

    /** Whether to start on the home screen. */
    fun isActivated(): Boolean = app.isActivated()

    /** After a successful activation: background sync from now on. */
    fun onActivated() = SyncWorker.schedule(getApplication())
}
