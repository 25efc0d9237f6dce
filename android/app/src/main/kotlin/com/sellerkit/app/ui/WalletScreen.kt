package com.sellerkit.app.ui

import android.Manifest
import android.content.pm.PackageManager
import android.text.format.DateUtils
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedCard
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import androidx.core.content.ContextCompat
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import com.sellerkit.app.R
import com.sellerkit.app.presenter.WalletPresenter
import com.sellerkit.app.presenter.WalletState
import com.sellerkit.core.CouponKind
import com.sellerkit.core.CouponVerdict
import com.sellerkit.core.DisputeInfo
import com.sellerkit.core.DisputeKind
import com.sellerkit.core.RedemptionState
import com.sellerkit.core.formatMoney

/**
 * The coupon wallet at the counter: scan (or type) a coupon, see at once whether it may be
 * accepted, type the order total, redeem; below, the offline allowance, disputes and recent
 * redemptions. Everything works offline; the verdict's words come from the core.
 */
@Composable
fun WalletScreen(presenter: WalletPresenter, onBack: () -> Unit) {
    val state by presenter.state.collectAsStateWithLifecycle()
    LaunchedEffect(Unit) { presenter.refresh() }
    LazyColumn(
        Modifier.fillMaxWidth(),
        contentPadding = PaddingValues(16.dp),
        verticalArrangement = Arrangement.spacedBy(12.dp),
    ) {
        item {
            Row(verticalAlignment = Alignment.CenterVertically) {
                Text(stringResource(R.string.wallet_title), style = MaterialTheme.typography.headlineSmall, modifier = Modifier.weight(1f))
                TextButton(onClick = onBack) { Text(stringResource(R.string.wallet_back)) }
            }
        }
        item { Allowance(state) }
        item { Scanner(onCode = { presenter.onScanned(it) }) }
        item { ManualEntry(onCheck = { presenter.onScanned(it) }) }
        state.verdict?.let { verdict -> item { VerdictCard(verdict) } }
        if (state.code.isNotEmpty()) item { Checkout(state, presenter) }
        state.error?.let { item { ErrorMessage(it) } }
        if (state.disputes.isNotEmpty()) {
            item { Text(stringResource(R.string.wallet_disputes, state.disputes.size), style = MaterialTheme.typography.titleMedium) }
            items(state.disputes, key = { it.id }) { DisputeCard(it, onResolve = { presenter.resolveDispute(it.id) }) }
        }
        if (state.redemptions.isNotEmpty()) {
            item { Text(stringResource(R.string.wallet_recent), style = MaterialTheme.typography.titleMedium) }
            items(state.redemptions, key = { it.id }) { r ->
                val ago = DateUtils.getRelativeTimeSpanString(r.redeemedMs).toString()
                Text(
                    "${formatMoney(r.amountFen)} · ${stringResource(stateName(r.state))} · $ago",
                    style = MaterialTheme.typography.bodyMedium,
                )
            }
        }
    }
}

@Composable
private fun Allowance(state: WalletState) {
    val status = state.status ?: return
    Column {
        if (status.unsyncedCount > 0u) {
            Text(stringResource(R.string.wallet_unsynced, status.unsyncedCount.toInt(), formatMoney(status.unsyncedValueFen)))
        }
        val until = status.redeemUntilMs
        if (until == null) {
            Text(stringResource(R.string.wallet_sync_first), color = MaterialTheme.colorScheme.error)
        } else {
            Text(stringResource(R.string.wallet_until, DateUtils.getRelativeTimeSpanString(until).toString()), style = MaterialTheme.typography.bodySmall)
        }
    }
}

/** The camera, once the seller allowed it; a button to ask otherwise. */
@Composable
private fun Scanner(onCode: (String) -> Unit) {
    val context = LocalContext.current
    var granted by remember {
        mutableStateOf(ContextCompat.checkSelfPermission(context, Manifest.permission.CAMERA) == PackageManager.PERMISSION_GRANTED)
    }
    val ask = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { granted = it }
    if (granted) {
        QrScanner(onCode = onCode, modifier = Modifier.fillMaxWidth().height(240.dp))
    } else {
        OutlinedCard(Modifier.fillMaxWidth()) {
            Column(Modifier.padding(16.dp)) {
                Text(stringResource(R.string.wallet_camera_why))
                Button(onClick = { ask.launch(Manifest.permission.CAMERA) }, modifier = Modifier.padding(top = 8.dp)) {
                    Text(stringResource(R.string.wallet_camera_allow))
                }
            }
        }
    }
}

/** Typing or pasting a code: for a broken camera or a code sent as text. */
@Composable
private fun ManualEntry(onCheck: (String) -> Unit) {
    var text by rememberSaveable { mutableStateOf("") }
    Row(verticalAlignment = Alignment.CenterVertically) {
        OutlinedTextField(
            value = text,
            onValueChange = { text = it },
            label = { Text(stringResource(R.string.wallet_code)) },
            singleLine = true,
            modifier = Modifier.weight(1f),
        )
        TextButton(onClick = { onCheck(text) }, enabled = text.isNotBlank()) { Text(stringResource(R.string.wallet_check)) }
    }
}

@Composable
private fun VerdictCard(verdict: CouponVerdict) {
    val colors = if (verdict.accepted) {
        CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.primaryContainer)
    } else {
        CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.errorContainer)
    }
    Card(Modifier.fillMaxWidth(), colors = colors) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Text(
                stringResource(if (verdict.accepted) R.string.wallet_valid else R.string.wallet_refused),
                style = MaterialTheme.typography.titleLarge,
            )
            // The core's words, in the language the app passed as SellerAppConfig.locale.
            verdict.message?.let { Text(it) }
            verdict.terms?.let { t ->
                Text("${t.bookTitle ?: t.bookId} · ${t.valueDisplay}", style = MaterialTheme.typography.titleMedium)
                if (t.minSpendFen > 0) Text(stringResource(R.string.wallet_min_spend, formatMoney(t.minSpendFen)))
                t.remainingUses?.let { Text(stringResource(R.string.wallet_uses_left, it.toInt())) }
                t.balanceFen?.let { Text(stringResource(R.string.wallet_balance, formatMoney(it))) }
                t.discountFen?.let { Text(stringResource(R.string.wallet_discount, formatMoney(it)), style = MaterialTheme.typography.titleMedium) }
                Text(stringResource(R.string.wallet_expires, DateUtils.getRelativeTimeSpanString(t.expiresMs).toString()), style = MaterialTheme.typography.bodySmall)
            }
            if (!verdict.accepted) Text(verdict.reasonCode, style = MaterialTheme.typography.labelSmall)
        }
    }
}

@Composable
private fun Checkout(state: WalletState, presenter: WalletPresenter) {
    val totalError = state.totalError
    Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
        OutlinedTextField(
            value = state.totalText,
            onValueChange = { presenter.onTotalChange(it) },
            label = { Text(stringResource(R.string.wallet_total)) },
            isError = totalError != null,
            supportingText = if (totalError != null) {
                { Text(totalError) }
            } else {
                null
            },
            singleLine = true,
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Decimal),
            modifier = Modifier.fillMaxWidth(),
        )
        if (state.verdict?.terms?.kind == CouponKind.STORED_VALUE) {
            OutlinedTextField(
                value = state.amountText,
                onValueChange = presenter::onAmountChange,
                label = { Text(stringResource(R.string.wallet_amount)) },
                isError = state.amountError != null,
                supportingText = { Text(state.amountError ?: stringResource(R.string.wallet_amount_help)) },
                singleLine = true,
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Decimal),
                modifier = Modifier.fillMaxWidth(),
            )
        }
        state.receipt?.let { r ->
            Text(
                stringResource(R.string.wallet_redeemed, formatMoney(r.redemption.amountFen)),
                color = MaterialTheme.colorScheme.primary,
                style = MaterialTheme.typography.titleMedium,
            )
        }
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            Button(onClick = { presenter.redeem() }, enabled = state.canRedeem, modifier = Modifier.weight(1f)) {
                Text(stringResource(R.string.wallet_redeem))
            }
            OutlinedButton(onClick = presenter::next, modifier = Modifier.weight(1f)) {
                Text(stringResource(R.string.wallet_next))
            }
        }
    }
}

@Composable
private fun DisputeCard(dispute: DisputeInfo, onResolve: () -> Unit) {
    OutlinedCard(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp)) {
            val what = when (dispute.kind) {
                DisputeKind.DOUBLE_USE -> R.string.wallet_dispute_double_use
                DisputeKind.OVERSPENT -> R.string.wallet_dispute_overspent
            }
            Text(stringResource(what), style = MaterialTheme.typography.titleSmall)
            Text(
                stringResource(
                    R.string.wallet_dispute_detail,
                    formatMoney(dispute.refused.amountFen),
                    formatMoney(dispute.refused.orderTotalFen),
                    DateUtils.getRelativeTimeSpanString(dispute.refused.redeemedMs).toString(),
                ),
                style = MaterialTheme.typography.bodySmall,
            )
            Text(dispute.couponId, style = MaterialTheme.typography.labelSmall)
            TextButton(onClick = onResolve) { Text(stringResource(R.string.wallet_dispute_resolve)) }
        }
    }
}

private fun stateName(state: RedemptionState): Int = when (state) {
    RedemptionState.PENDING -> R.string.wallet_state_pending
    RedemptionState.CONFIRMED -> R.string.wallet_state_confirmed
    RedemptionState.DISPUTED -> R.string.wallet_state_disputed
    RedemptionState.REJECTED -> R.string.wallet_state_rejected
}
