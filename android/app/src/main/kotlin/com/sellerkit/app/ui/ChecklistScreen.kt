package com.sellerkit.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Card
import androidx.compose.material3.Checkbox
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedCard
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import com.sellerkit.app.R
import com.sellerkit.app.presenter.ChecklistPresenter
import com.sellerkit.core.ChecklistCategory
import com.sellerkit.core.ChecklistTask
import com.sellerkit.core.ChecklistTaskState

/**
 * The store-setup checklist: progress and the next task on top, then the tasks by category.
 * Titles, help and state words come from the core in the seller's language; manual tasks in
 * the seller's package have a checkbox, the others follow the shop's data.
 */
@Composable
fun ChecklistScreen(presenter: ChecklistPresenter, onBack: () -> Unit) {
    val state by presenter.state.collectAsStateWithLifecycle()
    LaunchedEffect(Unit) { presenter.refresh() }
    LazyColumn(contentPadding = PaddingValues(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        item {
            Row(verticalAlignment = Alignment.CenterVertically) {
                TextButton(onClick = onBack) { Text(stringResource(R.string.checklist_back)) }
                Text(stringResource(R.string.checklist_title), style = MaterialTheme.typography.headlineSmall)
            }
        }
        state.overview?.let { overview ->
            item {
                Column {
                    Text(stringResource(R.string.checklist_progress, overview.done.toInt(), overview.total.toInt()))
                    LinearProgressIndicator(progress = { state.progress }, modifier = Modifier.fillMaxWidth().padding(vertical = 4.dp))
                    Text(stringResource(R.string.checklist_minutes_left, overview.remainingMinutes.toInt()), style = MaterialTheme.typography.bodySmall)
                }
            }
        }
        state.next?.let { next ->
            item {
                Card(Modifier.fillMaxWidth()) {
                    Column(Modifier.padding(16.dp)) {
                        Text(stringResource(R.string.checklist_next), style = MaterialTheme.typography.labelMedium)
                        Text(next.title, style = MaterialTheme.typography.titleMedium)
                        Text(next.help, style = MaterialTheme.typography.bodyMedium)
                    }
                }
            }
        }
        state.error?.let { item { ErrorMessage(it) } }
        for (section in state.sections) {
            item(key = "section-${section.category}") {
                Text(stringResource(categoryName(section.category)), style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 8.dp))
            }
            items(section.tasks, key = { it.id }) { task ->
                TaskRow(task, canToggle = presenter.canToggle(task), busy = state.busyTaskId == task.id, onToggle = { presenter.toggle(task.id) })
            }
        }
    }
}

@Composable
private fun TaskRow(task: ChecklistTask, canToggle: Boolean, busy: Boolean, onToggle: () -> Unit) {
    var expanded by remember { mutableStateOf(false) }
    OutlinedCard(onClick = { expanded = !expanded }, modifier = Modifier.fillMaxWidth()) {
        Row(Modifier.padding(12.dp), verticalAlignment = Alignment.CenterVertically) {
            if (canToggle) {
                Checkbox(checked = task.state == ChecklistTaskState.Done, onCheckedChange = { onToggle() }, enabled = !busy)
            }
            Column(Modifier.weight(1f)) {
                Text(task.title, style = MaterialTheme.typography.titleSmall)
                val count = if (task.countCurrent != null && task.countTarget != null) " · ${task.countCurrent}/${task.countTarget}" else ""
                Text(task.stateLabel + count, style = MaterialTheme.typography.bodySmall, color = stateColor(task.state))
                if (expanded) Text(task.help, style = MaterialTheme.typography.bodySmall, modifier = Modifier.padding(top = 4.dp))
            }
        }
    }
}

@Composable
private fun stateColor(state: ChecklistTaskState) = when (state) {
    ChecklistTaskState.Done -> MaterialTheme.colorScheme.primary
    ChecklistTaskState.Ready -> MaterialTheme.colorScheme.onSurface
    is ChecklistTaskState.Locked, is ChecklistTaskState.NotInTier -> MaterialTheme.colorScheme.outline
}

private fun categoryName(category: ChecklistCategory): Int = when (category) {
    ChecklistCategory.SETUP -> R.string.checklist_setup
    ChecklistCategory.MOBILE -> R.string.checklist_mobile
    ChecklistCategory.MARKETING -> R.string.checklist_marketing
    ChecklistCategory.LEGAL -> R.string.checklist_legal
}
