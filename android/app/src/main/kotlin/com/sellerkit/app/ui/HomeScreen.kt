package com.sellerkit.app.ui

import android.text.format.DateUtils
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedCard
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import com.sellerkit.app.R
import com.sellerkit.app.presenter.FeatureCard
import com.sellerkit.app.presenter.HomePresenter
import com.sellerkit.core.Tier

/** The shop at a glance, its open conflicts, and the cards later features fill in. */
@Composable
fun HomeScreen(
    presenter: HomePresenter,
    onOpenSync: () -> Unit,
    onOpenWallet: () -> Unit,
    onOpenChecklist: () -> Unit,
    onOpenDashboard: () -> Unit,
    onOpenStorefront: () -> Unit,
) {
    val state by presenter.state.collectAsStateWithLifecycle()
    LaunchedEffect(Unit) { presenter.refresh() }
    LazyColumn(contentPadding = PaddingValues(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item {
            Column {
                Text(state.shopName ?: stringResource(R.string.home_no_shop), style = MaterialTheme.typography.headlineSmall)
                state.tier?.let { Text(stringResource(tierName(it))) }
            }
        }
        item {
            Card(Modifier.fillMaxWidth()) {
                Column(Modifier.padding(16.dp)) {
                    Text(stringResource(R.string.home_counts, state.products, state.orders))
                    if (state.pendingOutbox > 0) Text(stringResource(R.string.home_pending, state.pendingOutbox))
                    val last = state.lastSyncMs?.let { DateUtils.getRelativeTimeSpanString(it).toString() }
                    Text(stringResource(R.string.sync_last, last ?: stringResource(R.string.home_never)))
                    state.lastSyncError?.let { Text(it, color = MaterialTheme.colorScheme.error) }
                    Button(onClick = onOpenSync, modifier = Modifier.padding(top = 8.dp)) {
                        Text(stringResource(R.string.home_open_sync))
                    }
                }
            }
        }
        state.error?.let { item { ErrorMessage(it) } }
        if (state.conflicts.isNotEmpty()) {
            item { Text(stringResource(R.string.home_conflicts, state.openConflicts), style = MaterialTheme.typography.titleMedium) }
            items(state.conflicts, key = { it.id }) { conflict ->
                OutlinedCard(Modifier.fillMaxWidth()) {
                    Column(Modifier.padding(12.dp)) {
                        Text("${conflict.kind} ${conflict.entityId}: ${conflict.outcome}", style = MaterialTheme.typography.titleSmall)
                        Text(conflict.reason, style = MaterialTheme.typography.bodySmall)
                    }
                }
            }
        }
        // Every feature card opens its screen.
        items(state.cards) { card ->
            when (card) {
                FeatureCard.WALLET -> WalletCard(onOpenWallet)
                FeatureCard.ANALYTICS -> OpenCard(R.string.card_analytics, R.string.dashboard_open, onOpenDashboard)
                FeatureCard.CHECKLIST -> OpenCard(R.string.card_checklist, R.string.checklist_open, onOpenChecklist)
                FeatureCard.STOREFRONT -> OpenCard(R.string.card_storefront, R.string.storefront_open, onOpenStorefront)
            }
        }
    }
}

@Composable
private fun WalletCard(onOpen: () -> Unit) {
    OutlinedCard(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(16.dp)) {
            Text(stringResource(R.string.card_wallet), style = MaterialTheme.typography.titleMedium)
            Button(onClick = onOpen, modifier = Modifier.padding(top = 8.dp)) { Text(stringResource(R.string.wallet_open)) }
        }
    }
}

@Composable
private fun OpenCard(title: Int, action: Int, onOpen: () -> Unit) {
    OutlinedCard(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(16.dp)) {
            Text(stringResource(title), style = MaterialTheme.typography.titleMedium)
            Button(onClick = onOpen, modifier = Modifier.padding(top = 8.dp)) { Text(stringResource(action)) }
        }
    }
}

private fun tierName(tier: Tier): Int = when (tier) {
    Tier.BASIC -> R.string.tier_basic
    Tier.STANDARD -> R.string.tier_standard
    Tier.PREMIUM -> R.string.tier_premium
}
