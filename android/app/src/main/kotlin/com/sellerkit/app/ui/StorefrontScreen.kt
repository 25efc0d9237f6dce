package com.sellerkit.app.ui

import android.graphics.BitmapFactory
import androidx.compose.foundation.Image
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedCard
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Switch
import androidx.compose.material3.Tab
import androidx.compose.material3.TabRow
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
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.layout.ContentScale
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import com.sellerkit.app.R
import com.sellerkit.app.presenter.StorefrontPresenter
import com.sellerkit.app.presenter.StorefrontState
import com.sellerkit.core.LintFinding
import com.sellerkit.core.LintSeverity
import com.sellerkit.core.PreviewDevice
import com.sellerkit.core.ProductEdit
import com.sellerkit.core.SellerKitException
import com.sellerkit.core.ShopEdit
import com.sellerkit.core.StorefrontConflict
import com.sellerkit.core.StorefrontPage
import com.sellerkit.core.formatMoney
import com.sellerkit.core.parseMoney

private enum class StorefrontTab(val label: Int) {
    PREVIEW(R.string.storefront_tab_preview),
    FINDINGS(R.string.storefront_tab_findings),
    SHOP(R.string.storefront_tab_shop),
    CONFLICTS(R.string.storefront_tab_conflicts),
}

/**
 * The mobile storefront: the phone preview, the lint findings with their fixes (a listing's
 * "edit" opens its form), the shop profile form, and the conflicts of edits with keep / reapply.
 * Every finding, fix and error reason comes from the core in the seller's language.
 */
@Composable
fun StorefrontScreen(presenter: StorefrontPresenter, onBack: () -> Unit) {
    val state by presenter.state.collectAsStateWithLifecycle()
    LaunchedEffect(Unit) { presenter.refresh() }
    var tab by rememberSaveable { mutableStateOf(StorefrontTab.PREVIEW) }
    var editing by rememberSaveable { mutableStateOf<String?>(null) }
    Column {
        Row(verticalAlignment = Alignment.CenterVertically, modifier = Modifier.padding(horizontal = 16.dp)) {
            TextButton(onClick = onBack) { Text(stringResource(R.string.storefront_back)) }
            Text(stringResource(R.string.storefront_title), style = MaterialTheme.typography.headlineSmall)
        }
        TabRow(selectedTabIndex = tab.ordinal) {
            StorefrontTab.entries.forEach { t ->
                Tab(selected = tab == t, onClick = { tab = t }, text = {
                    Text(if (t == StorefrontTab.CONFLICTS && state.conflicts.isNotEmpty()) "${stringResource(t.label)} (${state.conflicts.size})" else stringResource(t.label))
                })
            }
        }
        state.error?.let { error ->
            Row(Modifier.padding(16.dp), verticalAlignment = Alignment.CenterVertically) {
                ErrorMessage(error, Modifier.weight(1f))
                TextButton(onClick = presenter::dismissError) { Text(stringResource(R.string.storefront_dismiss)) }
            }
        }
        val product = editing
        when {
            product != null -> ProductForm(product, state, presenter, onClose = { editing = null })
            tab == StorefrontTab.PREVIEW -> PreviewTab(state, presenter)
            tab == StorefrontTab.FINDINGS -> FindingsTab(state, onEdit = { editing = it })
            tab == StorefrontTab.SHOP -> ShopForm(state, presenter)
            tab == StorefrontTab.CONFLICTS -> ConflictsTab(state, presenter)
        }
    }
}

@Composable
private fun PreviewTab(state: StorefrontState, presenter: StorefrontPresenter) {
    LazyColumn(contentPadding = PaddingValues(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        item {
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                FilterChip(selected = state.page == StorefrontPage.Home, onClick = { presenter.showPreview(StorefrontPage.Home) },
                    label = { Text(stringResource(R.string.storefront_page_home)) })
                FilterChip(selected = state.device == PreviewDevice.BUNDLED, onClick = { presenter.showPreview(state.page, PreviewDevice.BUNDLED) },
                    label = { Text(stringResource(R.string.storefront_device_bundled)) })
                FilterChip(selected = state.device == PreviewDevice.MODERN, onClick = { presenter.showPreview(state.page, PreviewDevice.MODERN) },
                    label = { Text(stringResource(R.string.storefront_device_modern)) })
            }
        }
        val page = state.page
        if (page is StorefrontPage.Product) {
            item { Text(stringResource(R.string.storefront_page_product, page.id), style = MaterialTheme.typography.labelMedium) }
        }
        item {
            val png = state.preview?.png
            // Decoding a 1080x2340 PNG takes a moment: once per new preview, not per recomposition.
            val bitmap = remember(png) { png?.let { BitmapFactory.decodeByteArray(it, 0, it.size)?.asImageBitmap() } }
            when {
                state.previewLoading && bitmap == null -> CircularProgressIndicator(Modifier.padding(24.dp))
                bitmap != null -> Image(bitmap, contentDescription = stringResource(R.string.storefront_preview_description),
                    contentScale = ContentScale.FillWidth, modifier = Modifier.fillMaxWidth())
            }
        }
    }
}

@Composable
private fun FindingsTab(state: StorefrontState, onEdit: (String) -> Unit) {
    val lint = state.lint
    LazyColumn(contentPadding = PaddingValues(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        if (lint != null) {
            item {
                Text(stringResource(R.string.storefront_summary, lint.productsChecked.toInt(), lint.productsClean.toInt(),
                    lint.errors.toInt(), lint.warnings.toInt(), lint.infos.toInt()))
            }
            if (lint.findings.isEmpty()) item { Text(stringResource(R.string.storefront_all_clean)) }
        }
        if (state.shopFindings.isNotEmpty()) {
            item { Text(stringResource(R.string.storefront_shop_findings), style = MaterialTheme.typography.titleMedium) }
            items(state.shopFindings) { FindingRow(it) }
        }
        for ((productId, findings) in state.productsWithFindings) {
            item(key = "product-$productId") {
                Row(verticalAlignment = Alignment.CenterVertically, modifier = Modifier.padding(top = 8.dp)) {
                    Text(stringResource(R.string.storefront_product, productId), style = MaterialTheme.typography.titleMedium, modifier = Modifier.weight(1f))
                    OutlinedButton(onClick = { onEdit(productId) }) { Text(stringResource(R.string.storefront_edit)) }
                }
            }
            items(findings) { FindingRow(it) }
        }
    }
}

@Composable
private fun FindingRow(finding: LintFinding) {
    val severity = when (finding.severity) {
        LintSeverity.ERROR -> R.string.storefront_severity_error
        LintSeverity.WARNING -> R.string.storefront_severity_warning
        LintSeverity.INFO -> R.string.storefront_severity_info
    }
    val colour = if (finding.severity == LintSeverity.ERROR) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface
    OutlinedCard(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp)) {
            Text(stringResource(severity), color = colour, style = MaterialTheme.typography.labelMedium)
            Text(finding.message, style = MaterialTheme.typography.bodyMedium)
            Text(stringResource(R.string.storefront_fix, finding.fix), style = MaterialTheme.typography.bodySmall)
        }
    }
}

/**
 * A listing's form, prefilled with the listing's current values (read by the presenter); the
 * findings of the listing are shown above. Saving sends every field: the core queues only the
 * changed ones.
 */
@Composable
private fun ProductForm(productId: String, state: StorefrontState, presenter: StorefrontPresenter, onClose: () -> Unit) {
    LaunchedEffect(productId) { presenter.openProduct(productId) }
    val close = { presenter.closeProduct(); onClose() }
    val listing = state.listing?.takeIf { it.id == productId }
    if (listing == null) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            Text(stringResource(R.string.storefront_product, productId), style = MaterialTheme.typography.titleMedium)
            if (state.formLoading) CircularProgressIndicator()
            TextButton(onClick = close) { Text(stringResource(R.string.storefront_cancel)) }
        }
        return
    }
    // Seeded once per listing and version of its values: the seller's typing is not overwritten
    // by recompositions, but values changed underneath (a sync, a settled conflict) are shown.
    val seed = listing.updatedMs
    var title by rememberSaveable(productId, seed) { mutableStateOf(listing.title) }
    var price by rememberSaveable(productId, seed) { mutableStateOf(formatMoney(listing.priceFen)) }
    var description by rememberSaveable(productId, seed) { mutableStateOf(listing.description) }
    var mobileDescription by rememberSaveable(productId, seed) { mutableStateOf(listing.mobileDescription) }
    var featured by rememberSaveable(productId, seed) { mutableStateOf(listing.featured) }
    var published by rememberSaveable(productId, seed) { mutableStateOf(listing.published) }
    var priceError by remember { mutableStateOf(false) }
    val savedAtOpen = remember(productId) { state.savedCount }
    LaunchedEffect(state.savedCount) { if (state.savedCount > savedAtOpen) close() }
    LazyColumn(contentPadding = PaddingValues(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        item { Text(stringResource(R.string.storefront_product, productId), style = MaterialTheme.typography.titleMedium) }
        items(state.findingsOf(productId)) { FindingRow(it) }
        item { Text(stringResource(R.string.storefront_form_hint), style = MaterialTheme.typography.bodySmall) }
        item { OutlinedTextField(title, { title = it }, label = { Text(stringResource(R.string.storefront_field_title)) }, modifier = Modifier.fillMaxWidth()) }
        item {
            OutlinedTextField(price, { price = it; priceError = false }, label = { Text(stringResource(R.string.storefront_field_price)) },
                isError = priceError, supportingText = { if (priceError) Text(stringResource(R.string.storefront_bad_price)) },
                modifier = Modifier.fillMaxWidth())
        }
        item { OutlinedTextField(description, { description = it }, label = { Text(stringResource(R.string.storefront_field_description)) }, modifier = Modifier.fillMaxWidth()) }
        item { OutlinedTextField(mobileDescription, { mobileDescription = it }, label = { Text(stringResource(R.string.storefront_field_mobile_description)) }, modifier = Modifier.fillMaxWidth()) }
        item { SwitchRow(R.string.storefront_field_featured, featured) { featured = it } }
        item { SwitchRow(R.string.storefront_field_published, published) { published = it } }
        item {
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Button(enabled = !state.saving, onClick = {
                    val fen = try { parseMoney(price.trim(), null) } catch (e: SellerKitException) { null }
                    if (fen == null) {
                        priceError = true
                    } else {
                        presenter.editProduct(productId, ProductEdit(
                            title = title,
                            priceFen = fen,
                            description = description,
                            published = published,
                            featured = featured,
                            mobileDescription = mobileDescription,
                        ))
                    }
                }) { Text(stringResource(R.string.storefront_save)) }
                TextButton(onClick = close) { Text(stringResource(R.string.storefront_cancel)) }
                TextButton(onClick = { presenter.showPreview(StorefrontPage.Product(productId)) }) { Text(stringResource(R.string.storefront_show_preview)) }
            }
        }
    }
}

@Composable
private fun SwitchRow(label: Int, value: Boolean, onChange: (Boolean) -> Unit) {
    Row(verticalAlignment = Alignment.CenterVertically) {
        Text(stringResource(label), modifier = Modifier.weight(1f))
        Switch(checked = value, onCheckedChange = onChange)
    }
}

/** The shop's form, prefilled with the profile's current values (read by the presenter). */
@Composable
private fun ShopForm(state: StorefrontState, presenter: StorefrontPresenter) {
    LaunchedEffect(Unit) { presenter.openShop() }
    val shop = state.shop
    if (shop == null) {
        Column(Modifier.padding(16.dp)) {
            if (state.formLoading) CircularProgressIndicator() else Text(stringResource(R.string.storefront_no_shop))
        }
        return
    }
    val seed = shop.updatedMs
    var name by rememberSaveable(seed) { mutableStateOf(shop.name) }
    var announcement by rememberSaveable(seed) { mutableStateOf(shop.announcement) }
    var theme by rememberSaveable(seed) { mutableStateOf(shop.themeColor.orEmpty()) }
    LazyColumn(contentPadding = PaddingValues(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        items(state.shopFindings) { FindingRow(it) }
        item { Text(stringResource(R.string.storefront_form_hint), style = MaterialTheme.typography.bodySmall) }
        item { OutlinedTextField(name, { name = it }, label = { Text(stringResource(R.string.storefront_field_shop_name)) }, modifier = Modifier.fillMaxWidth()) }
        item { OutlinedTextField(announcement, { announcement = it }, label = { Text(stringResource(R.string.storefront_field_announcement)) }, modifier = Modifier.fillMaxWidth()) }
        item { OutlinedTextField(theme, { theme = it }, label = { Text(stringResource(R.string.storefront_field_theme)) }, placeholder = { Text("#FF5000") }, modifier = Modifier.fillMaxWidth()) }
        item {
            Button(enabled = !state.saving, onClick = {
                presenter.editShop(ShopEdit(
                    name = name,
                    announcement = announcement,
                    // No colour chosen stays no colour.
                    themeColor = theme.trim().takeIf { it.isNotEmpty() },
                ))
            }) { Text(stringResource(R.string.storefront_save)) }
        }
        item { Text(stringResource(R.string.storefront_saved_hint), style = MaterialTheme.typography.bodySmall) }
    }
}

@Composable
private fun ConflictsTab(state: StorefrontState, presenter: StorefrontPresenter) {
    LazyColumn(contentPadding = PaddingValues(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        if (state.conflicts.isEmpty()) item { Text(stringResource(R.string.storefront_no_conflicts)) }
        items(state.conflicts, key = { it.id }) { ConflictCard(it, busy = state.busyConflictId == it.id, presenter) }
    }
}

@Composable
private fun ConflictCard(conflict: StorefrontConflict, busy: Boolean, presenter: StorefrontPresenter) {
    OutlinedCard(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Text(
                if (conflict.rejected) stringResource(R.string.storefront_conflict_rejected, conflict.entityId)
                else stringResource(R.string.storefront_conflict_changed, conflict.entityId),
                style = MaterialTheme.typography.titleSmall,
            )
            for (f in conflict.fields) {
                Text(stringResource(R.string.storefront_conflict_field, f.field, f.yours, f.server ?: "—"), style = MaterialTheme.typography.bodySmall)
            }
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                OutlinedButton(enabled = !busy, onClick = { presenter.keepServer(conflict.id) }) { Text(stringResource(R.string.storefront_keep_server)) }
                Button(enabled = !busy, onClick = { presenter.reapply(conflict.id) }) { Text(stringResource(R.string.storefront_reapply)) }
            }
        }
    }
}
