package com.sellerkit.app.ui

import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.compose.material3.Text
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import com.sellerkit.app.ShellViewModel
import com.sellerkit.app.presenter.Startup

/** The app's screens. Small enough that a `when` is all the navigation it needs. */
enum class Screen { ACTIVATION, HOME, SYNC, WALLET, CHECKLIST, DASHBOARD, STOREFRONT }

@Composable
fun SellerKitRoot(model: ShellViewModel) {
    val startup by model.startup.collectAsStateWithLifecycle()
    MaterialTheme {
        Surface {
            when (val s = startup) {
                // The database opens on Dispatchers.IO; the main thread draws the splash.
                Startup.Opening -> Splash()
                is Startup.Failed -> ErrorMessage(s.error, Modifier.padding(24.dp))
                is Startup.Ready -> Screens(model, model.screens(s), s.activated)
            }
        }
    }
}

/** Shown while the database opens (migrations, integrity check). */
@Composable
private fun Splash() {
    Box(Modifier.fillMaxSize(), contentAlignment = Alignment.Center) {
        Column(horizontalAlignment = Alignment.CenterHorizontally) {
            Text("SellerKit", style = MaterialTheme.typography.headlineMedium)
            CircularProgressIndicator(Modifier.padding(top = 24.dp))
        }
    }
}

@Composable
private fun Screens(model: ShellViewModel, screens: ShellViewModel.Screens, activated: Boolean) {
    var screen by rememberSaveable {
        mutableStateOf(if (activated) Screen.HOME else Screen.ACTIVATION)
    }
    val activation by screens.activation.state.collectAsStateWithLifecycle()
    LaunchedEffect(activation.activated) {
        if (activation.activated != null && screen == Screen.ACTIVATION) {
            model.onActivated()
            // A fresh device has nothing yet: its first sync brings the shop.
            screens.sync.start()
            screen = Screen.SYNC
        }
    }
    when (screen) {
        Screen.ACTIVATION -> ActivationScreen(activation, screens.activation)
        Screen.SYNC -> SyncScreen(screens.sync, onDone = { screen = Screen.HOME })
        Screen.HOME -> HomeScreen(
            screens.home,
            onOpenSync = { screen = Screen.SYNC },
            onOpenWallet = { screen = Screen.WALLET },
            onOpenChecklist = { screen = Screen.CHECKLIST },
            onOpenDashboard = { screen = Screen.DASHBOARD },
            onOpenStorefront = { screen = Screen.STOREFRONT },
        )
        Screen.WALLET -> WalletScreen(screens.wallet, onBack = { screen = Screen.HOME })
        Screen.CHECKLIST -> ChecklistScreen(screens.checklist, onBack = { screen = Screen.HOME })
        Screen.DASHBOARD -> DashboardScreen(screens.dashboard, onBack = { screen = Screen.HOME })
        Screen.STOREFRONT -> StorefrontScreen(screens.storefront, onBack = { screen = Screen.HOME })
    }
}
