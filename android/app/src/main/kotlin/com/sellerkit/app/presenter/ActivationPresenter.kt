package com.sellerkit.app.presenter

import com.sellerkit.core.ActivationInfo
import com.sellerkit.core.SellerAppInterface
import com.sellerkit.core.SellerKitException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** What the activation screen shows. */
data class ActivationState(
    val serverUrl: String = "",
    val code: String = "",
    val busy: Boolean = false,
    val error: UiError? = null,
    /** Set once the server accepted the code: the app moves on to its home screen. */
    val activated: ActivationInfo? = null,
) {
    /** The button is enabled only when both fields are filled and nothing is running. */
    val canSubmit: Boolean get() = !busy && serverUrl.isNotBlank() && code.isNotBlank()
}

/**
 * The activation screen: the seller types the server address and the code from the service
 * card; the core registers this phone as a device of the shop.
 */
class ActivationPresenter(
    private val app: SellerAppInterface,
    private val scope: CoroutineScope,
    defaultServerUrl: String = "",
) {
    private val mutableState = MutableStateFlow(ActivationState(serverUrl = defaultServerUrl))

    /** The screen's state; the UI renders it and calls the `on*` functions. */
    val state: StateFlow<ActivationState> = mutableState.asStateFlow()

    fun onServerUrlChange(value: String) = mutableState.update { it.copy(serverUrl = value, error = null) }

    fun onCodeChange(value: String) = mutableState.update { it.copy(code = value, error = null) }

    /** Sends the code; the result lands in [state] (activated, or an error to show). */
    fun submit(): Job? {
        val current = state.value
        if (!current.canSubmit) return null
        mutableState.update { it.copy(busy = true, error = null) }
        return scope.launch {
            try {
                // Stray spaces come with copied codes; everything else is the core's to judge.
                val info = app.activate(current.serverUrl.trim(), current.code.trim())
                mutableState.update { it.copy(activated = info) }
            } catch (e: SellerKitException) {
                mutableState.update { it.copy(error = UiError.from(e)) }
            } finally {
                mutableState.update { it.copy(busy = false) }
            }
        }
    }
}
