package com.sellerkit.app.ui

import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import com.sellerkit.app.ShellViewModel

/** The app's screens. Small enough that a `when` is all the navigation it needs. */
enum class Screen { ACTIVATION, HOME, SYNC, WALLET, DASHBOARD }

@Composable
fun SellerKitRoot(model: ShellViewModel) {
    var screen by rememberSaveable {
        mutableStateOf(if (model.isActivated()) Screen.HOME else Screen.ACTIVATION)
    }
    val activation by model.activation.state.collectAsStateWithLifecycle()
    LaunchedEffect(activation.activated) {
        if (activation.activated != null && screen == Screen.ACTIVATION) {
            model.onActivated()
            // A fresh device has nothing yet: its first sync brings the shop.
            model.sync.start()
            screen = Screen.SYNC
        }
    }
    MaterialTheme {
        Surface {
            when (screen) {
                Screen.ACTIVATION -> ActivationScreen(activation, model.activation)
                Screen.SYNC -> SyncScreen(model.sync, onDone = { screen = Screen.HOME })
                Screen.HOME -> HomeScreen(
                    model.home,
                    onOpenSync = { screen = Screen.SYNC },
                    onOpenWallet = { screen = Screen.WALLET },
                    onOpenDashboard = { screen = Screen.DASHBOARD },
                )
                Screen.WALLET -> WalletScreen(model.wallet, onBack = { screen = Screen.HOME })
                Screen.DASHBOARD -> DashboardScreen(model.dashboard, onBack = { screen = Screen.HOME })
            }
        }
    }
}
