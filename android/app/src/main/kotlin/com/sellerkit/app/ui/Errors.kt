package com.sellerkit.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import com.sellerkit.app.R
import com.sellerkit.app.presenter.UiError

/** A localised headline for the error's kind, and the core's reason under it. */
@Composable
fun ErrorMessage(error: UiError, modifier: Modifier = Modifier) {
    val headline = when (error.kind) {
        UiError.Kind.INVALID_INPUT -> R.string.error_invalid_input
        UiError.Kind.NOT_ACTIVATED -> R.string.error_not_activated
        UiError.Kind.REJECTED -> R.string.error_rejected
        UiError.Kind.COUPON_REFUSED -> R.string.error_coupon_refused
        UiError.Kind.CHECKLIST_REFUSED -> R.string.error_checklist_refused
        UiError.Kind.NETWORK -> R.string.error_network
        UiError.Kind.CANCELLED -> R.string.error_cancelled
        UiError.Kind.STORAGE -> R.string.error_storage
        UiError.Kind.INTERNAL -> R.string.error_internal
    }
    Column(modifier) {
        Text(stringResource(headline), color = MaterialTheme.colorScheme.error, style = MaterialTheme.typography.titleSmall)
        if (error.reason.isNotBlank()) {
            Text(error.reason, color = MaterialTheme.colorScheme.error, style = MaterialTheme.typography.bodySmall)
        }
    }
}
