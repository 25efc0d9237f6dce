import SwiftUI
import UIKit
import SellerKit

/// The mobile storefront: the phone preview, the lint findings with their fixes (a listing's
/// "Edit" opens its form), the shop form, and the conflicts of edits with keep / reapply.
struct StorefrontView: View {
    enum Tab: Hashable { case preview, findings, shop, conflicts }

    @ObservedObject var presenter: StorefrontPresenter
    let onBack: () -> Void
    @State private var tab: Tab = .preview
    @State private var editing: String?

    var body: some View {
        VStack(spacing: 0) {
            HStack {
                Button("Back", action: onBack)
                Text("Mobile storefront").font(.headline)
                Spacer()
            }
            .padding(.horizontal)
            Picker("", selection: $tab) {
                Text("Preview").tag(Tab.preview)
                Text("Checks").tag(Tab.findings)
                Text("Shop").tag(Tab.shop)
                Text(presenter.conflicts.isEmpty ? String(localized: "Conflicts") : "\(String(localized: "Conflicts")) (\(presenter.conflicts.count))").tag(Tab.conflicts)
            }
            .pickerStyle(.segmented)
            .padding()
            List {
                if let error = presenter.error { ErrorSection(error: error) }
                if let productId = editing {
                    ProductForm(presenter: presenter, productId: productId, onClose: { editing = nil })
                } else {
                    switch tab {
                    case .preview: previewSection
                    case .findings: findingsSection
                    case .shop: ShopForm(presenter: presenter)
                    case .conflicts: conflictsSection
                    }
                }
            }
        }
        .task { await presenter.refresh() }
        .refreshable { await presenter.refresh() }
        // The forms start from the current values: read them when a form opens.
        .task(id: editing) { if let productId = editing { await presenter.openProduct(productId) } }
        .task(id: tab) { if tab == .shop { await presenter.openShop() } }
    }

    @ViewBuilder private var previewSection: some View {
        Section {
            HStack {
                Button("Home page") { Task { await presenter.show(page: .home) } }
                Spacer()
                Picker("", selection: Binding(get: { presenter.device }, set: { d in Task { await presenter.show(page: presenter.page, device: d) } })) {
                    Text("Bundled phone").tag(PreviewDevice.bundled)
                    Text("Current phone").tag(PreviewDevice.modern)
                }
                .pickerStyle(.segmented)
            }
            if case .product(let id) = presenter.page { Text("Product page: \(id)").font(.footnote) }
            if let png = presenter.preview?.png, let image = UIImage(data: png) {
                Image(uiImage: image)
                    .resizable()
                    .aspectRatio(contentMode: .fit)
                    .accessibilityLabel(Text("Your shop as a buyer's phone shows it"))
            } else if presenter.previewLoading {
                ProgressView()
            }
        }
    }

    @ViewBuilder private var findingsSection: some View {
        if let lint = presenter.lint {
            Section {
                Text("\(Int(lint.productsChecked)) products checked, \(Int(lint.productsClean)) without problems; \(Int(lint.errors)) errors, \(Int(lint.warnings)) warnings, \(Int(lint.infos)) suggestions")
                if lint.findings.isEmpty { Text("No problems found. Your shop is ready for phones.") }
            }
        }
        if !presenter.shopFindings.isEmpty {
            Section("Shop profile") {
                ForEach(Array(presenter.shopFindings.enumerated()), id: \.offset) { FindingRow(finding: $0.element) }
            }
        }
        ForEach(presenter.productsWithFindings) { product in
            Section {
                ForEach(Array(product.findings.enumerated()), id: \.offset) { FindingRow(finding: $0.element) }
            } header: {
                HStack {
                    Text("Product \(product.id)")
                    Spacer()
                    Button("Edit") { editing = product.id }
                }
            }
        }
    }

    @ViewBuilder private var conflictsSection: some View {
        if presenter.conflicts.isEmpty {
            Text("No conflicts: the server has accepted all your changes.")
        }
        ForEach(presenter.conflicts, id: \.id) { conflict in
            Section {
                if conflict.rejected {
                    Text("The server refused your edit of \(conflict.entityId)").font(.headline)
                } else {
                    Text("\(conflict.entityId) was changed elsewhere after your edit").font(.headline)
                }
                ForEach(conflict.fields, id: \.field) { f in
                    Text("\(f.field): yours “\(f.yours)”, server “\(f.server ?? "—")”").font(.footnote)
                }
                HStack {
                    Button("Keep the server's") { Task { await presenter.keepServer(conflict.id) } }
                    Spacer()
                    Button("Apply mine again") { Task { await presenter.reapply(conflict.id) } }
                }
                .buttonStyle(.borderless)
                .disabled(presenter.busyConflictId == conflict.id)
            }
        }
    }
}

/// One finding: how much it matters, what is wrong and how to fix it.
private struct FindingRow: View {
    let finding: LintFinding

    var body: some View {
        VStack(alignment: .leading, spacing: 2) {
            Text(Self.severity(finding.severity)).font(.caption).foregroundColor(finding.severity == .error ? .red : .secondary)
            Text(finding.message)
            Text("How to fix: \(finding.fix)").font(.footnote)
        }
    }

    private static func severity(_ s: LintSeverity) -> String {
        switch s {
        case .error: return String(localized: "Must fix")
        case .warning: return String(localized: "Should fix")
        case .info: return String(localized: "Suggestion")
        }
    }
}

/// A listing's form, prefilled with the listing's current values (read by the presenter).
/// Saving sends every field: the core queues only the changed ones.
private struct ProductForm: View {
    @ObservedObject var presenter: StorefrontPresenter
    let productId: String
    let onClose: () -> Void

    var body: some View {
        Section("Product \(productId)") {
            ForEach(Array(presenter.findings(of: productId).enumerated()), id: \.offset) { FindingRow(finding: $0.element) }
            if let listing = presenter.listing, listing.id == productId {
                // One identity per version of the values: the fields are seeded again when they
                // change underneath (a sync, a settled conflict), not while the seller types.
                ForEach([listing], id: \.updatedMs) { current in
                    ProductFields(presenter: presenter, listing: current, onClose: close)
                }
            } else if presenter.formLoading {
                ProgressView()
            } else {
                Button("Cancel", action: close)
            }
        }
    }

    private func close() {
        presenter.closeProduct()
        onClose()
    }
}

/// The fields of a listing's form, seeded from `listing` once.
private struct ProductFields: View {
    @ObservedObject var presenter: StorefrontPresenter
    let listing: ListingInfo
    let onClose: () -> Void
    @State private var title: String
    @State private var price: String
    @State private var description: String
    @State private var mobileDescription: String
    @State private var featured: Bool
    @State private var published: Bool
    @State private var priceError = false

    init(presenter: StorefrontPresenter, listing: ListingInfo, onClose: @escaping () -> Void) {
        _presenter = ObservedObject(wrappedValue: presenter)
        self.listing = listing
        self.onClose = onClose
        _title = State(initialValue: listing.title)
        _price = State(initialValue: formatMoney(fen: listing.priceFen))
        _description = State(initialValue: listing.description)
        _mobileDescription = State(initialValue: listing.mobileDescription)
        _featured = State(initialValue: listing.featured)
        _published = State(initialValue: listing.published)
    }

    var body: some View {
        Group {
            Text("The form shows the current values; change what you want and save.").font(.footnote)
            TextField("Title", text: $title)
            TextField("Price (yuan)", text: $price).keyboardType(.decimalPad)
            if priceError { Text("Enter an amount such as 59 or 59.90.").foregroundColor(.red).font(.footnote) }
            TextField("Description", text: $description)
            TextField("Short description on phones", text: $mobileDescription)
            Toggle("Show on the home page", isOn: $featured)
            Toggle("On sale", isOn: $published)
            HStack {
                Button("Save") { Task { await save() } }.disabled(presenter.saving)
                Spacer()
                Button("Preview this product") { Task { await presenter.show(page: .product(id: listing.id)) } }
                Spacer()
                Button("Cancel", action: onClose)
            }
            .buttonStyle(.borderless)
        }
    }

    private func save() async {
        let typed = price.trimmingCharacters(in: .whitespaces)
        guard let fen = try? parseMoney(text: typed, locale: nil) else {
            priceError = true
            return
        }
        priceError = false
        let before = presenter.savedCount
        await presenter.editProduct(listing.id, ProductEdit(
            title: title,
            priceFen: fen,
            description: description,
            published: published,
            featured: featured,
            mobileDescription: mobileDescription))
        if presenter.savedCount > before { onClose() }
    }
}

/// The shop profile's form, prefilled with the profile's current values (read by the presenter).
private struct ShopForm: View {
    @ObservedObject var presenter: StorefrontPresenter

    var body: some View {
        Section {
            ForEach(Array(presenter.shopFindings.enumerated()), id: \.offset) { FindingRow(finding: $0.element) }
            if let shop = presenter.shop {
                ForEach([shop], id: \.updatedMs) { current in
                    ShopFields(presenter: presenter, shop: current)
                }
            } else if presenter.formLoading {
                ProgressView()
            } else {
                Text("There is no shop on this phone yet. Activate the device and sync first.")
            }
        }
    }
}

/// The fields of the shop's form, seeded from `shop` once.
private struct ShopFields: View {
    @ObservedObject var presenter: StorefrontPresenter
    @State private var name: String
    @State private var announcement: String
    @State private var theme: String

    init(presenter: StorefrontPresenter, shop: ShopInfo) {
        _presenter = ObservedObject(wrappedValue: presenter)
        _name = State(initialValue: shop.name)
        _announcement = State(initialValue: shop.announcement)
        _theme = State(initialValue: shop.themeColor ?? "")
    }

    var body: some View {
        Group {
            Text("The form shows the current values; change what you want and save.").font(.footnote)
            TextField("Shop name", text: $name)
            TextField("Announcement", text: $announcement)
            TextField("Theme colour (#RRGGBB)", text: $theme).textInputAutocapitalization(.characters)
            Button("Save") {
                let color = theme.trimmingCharacters(in: .whitespaces)
                Task {
                    // No colour chosen stays no colour.
                    await presenter.editShop(ShopEdit(
                        name: name,
                        announcement: announcement,
                        themeColor: color.isEmpty ? nil : color))
                }
            }
            .disabled(presenter.saving)
            Text("Changes are saved on this phone at once and sent with the next sync.").font(.footnote)
        }
    }
}
