package com.sellerkit.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardCapitalization
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import com.sellerkit.app.R
import com.sellerkit.app.presenter.ActivationPresenter
import com.sellerkit.app.presenter.ActivationState

/** Server address and the code from the service card; errors as the core words them. */
@Composable
fun ActivationScreen(state: ActivationState, presenter: ActivationPresenter) {
    Column(
        Modifier.fillMaxWidth().padding(24.dp),
        verticalArrangement = Arrangement.spacedBy(16.dp),
    ) {
        Text(stringResource(R.string.activation_title), style = MaterialTheme.typography.headlineSmall)
        Text(stringResource(R.string.activation_help), style = MaterialTheme.typography.bodyMedium)
        OutlinedTextField(
            value = state.serverUrl,
            onValueChange = presenter::onServerUrlChange,
            label = { Text(stringResource(R.string.activation_server)) },
            singleLine = true,
            enabled = !state.busy,
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Uri),
            modifier = Modifier.fillMaxWidth(),
        )
        OutlinedTextField(
            value = state.code,
            onValueChange = presenter::onCodeChange,
            label = { Text(stringResource(R.string.activation_code)) },
            singleLine = true,
            enabled = !state.busy,
            keyboardOptions = KeyboardOptions(capitalization = KeyboardCapitalization.Characters),
            modifier = Modifier.fillMaxWidth(),
        )
        state.error?.let { ErrorMessage(it) }
        Button(onClick = { presenter.submit() }, enabled = state.canSubmit, modifier = Modifier.fillMaxWidth()) {
            if (state.busy) CircularProgressIndicator(Modifier.padding(end = 8.dp))
            Text(stringResource(R.string.activation_submit))
        }
    }
}
