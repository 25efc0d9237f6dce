package com.sellerkit.app.ui

import android.text.format.DateUtils
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import com.sellerkit.app.R
import com.sellerkit.app.presenter.SyncPresenter
import com.sellerkit.core.SyncPhase

/** One progress bar per phase (push, pull, pictures), cancel, and how the last sync ended. */
@Composable
fun SyncScreen(presenter: SyncPresenter, onDone: () -> Unit) {
    val state by presenter.state.collectAsStateWithLifecycle()
    LaunchedEffect(Unit) { presenter.refresh() }
    Column(Modifier.fillMaxWidth().padding(24.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(stringResource(R.string.sync_title), style = MaterialTheme.typography.headlineSmall)
        for (phase in SyncPhase.entries) {
            val progress = state.progress[phase] ?: continue
            val label = when (phase) {
                SyncPhase.PUSH -> R.string.sync_phase_push
                SyncPhase.PULL -> R.string.sync_phase_pull
                SyncPhase.MEDIA -> R.string.sync_phase_media
            }
            val count = progress.total?.let { "${progress.done} / $it" } ?: "${progress.done}"
            Text("${stringResource(label)}: $count")
            val fraction = progress.fraction
            if (fraction != null) {
                LinearProgressIndicator(progress = { fraction }, modifier = Modifier.fillMaxWidth())
            } else if (state.running && state.phase == phase) {
                LinearProgressIndicator(Modifier.fillMaxWidth())
            }
        }
        state.lastSummary?.takeIf { !state.running }?.let {
            Text(stringResource(R.string.sync_summary, it.changesPulled.toLong(), it.pushed.toLong(), it.mediaDownloaded.toLong()))
            if (it.conflicts > 0uL || it.rejected > 0uL) {
                Text(
                    stringResource(R.string.sync_summary_problems, it.conflicts.toLong(), it.rejected.toLong()),
                    color = MaterialTheme.colorScheme.error,
                )
            }
        }
        if (state.cancelled) Text(stringResource(R.string.sync_cancelled))
        state.error?.let { ErrorMessage(it) }
        state.lastSyncMs?.let {
            Text(stringResource(R.string.sync_last, DateUtils.getRelativeTimeSpanString(it).toString()))
        }
        if (state.running) {
            OutlinedButton(onClick = presenter::cancel, enabled = !state.cancelling, modifier = Modifier.fillMaxWidth()) {
                Text(stringResource(R.string.sync_cancel))
            }
        } else {
            Button(onClick = { presenter.start() }, modifier = Modifier.fillMaxWidth()) {
                Text(stringResource(R.string.sync_start))
            }
            OutlinedButton(onClick = onDone, modifier = Modifier.fillMaxWidth()) {
                Text(stringResource(R.string.sync_done))
            }
        }
    }
}
