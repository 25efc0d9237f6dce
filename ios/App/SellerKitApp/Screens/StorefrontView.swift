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

/// A listing's form: empty fields stay as they are.
private struct ProductForm: View {
    @ObservedObject var presenter: StorefrontPresenter
    let productId: String
    let onClose: () -> Void
    @State private var title = ""
    @State private var price = ""
    @State private var description = ""
    @State private var mobileDescription = ""
    @State private var featured: Bool?
    @State private var published: Bool?
    @State private var priceError = false

    var body: some View {
        Section("Product \(productId)") {
            ForEach(Array(presenter.findings(of: productId).enumerated()), id: \.offset) { FindingRow(finding: $0.element) }
            Text("Fill in only what you want to change; empty fields stay as they are.").font(.footnote)
            TextField("Title", text: $title)
            TextField("Price (yuan)", text: $price).keyboardType(.decimalPad)
            if priceError { Text("Enter an amount such as 59 or 59.90.").foregroundColor(.red).font(.footnote) }
            TextField("Description", text: $description)
            TextField("Short description on phones", text: $mobileDescription)
            Toggle("Show on the home page", isOn: Binding(get: { featured ?? false }, set: { featured = $0 }))
            Toggle("On sale", isOn: Binding(get: { published ?? false }, set: { published = $0 }))
            HStack {
                Button("Save") { Task { await save() } }.disabled(presenter.saving)
                Spacer()
                Button("Preview this product") { Task { await presenter.show(page: .product(id: productId)) } }
                Spacer()
                Button("Cancel", action: onClose)
            }
            .buttonStyle(.borderless)
        }
    }

    private func save() async {
        var fen: Int64?
        let typed = price.trimmingCharacters(in: .whitespaces)
        if !typed.isEmpty {
            guard let parsed = try? parseMoney(text: typed, locale: nil) else {
                priceError = true
                return
            }
            fen = parsed
        }
        priceError = false
        let before = presenter.savedCount
        await presenter.editProduct(productId, ProductEdit(
            title: title.isEmpty ? nil : title,
            priceFen: fen,
            description: description.isEmpty ? nil : description,
            published: published,
            featured: featured,
            mobileDescription: mobileDescription.isEmpty ? nil : mobileDescription))
        if presenter.savedCount > before { onClose() }
    }
}

/// The shop profile's form: empty fields stay as they are.
private struct ShopForm: View {
    @ObservedObject var presenter: StorefrontPresenter
    @State private var name = ""
    @State private var announcement = ""
    @State private var theme = ""

    var body: some View {
        Section {
            ForEach(Array(presenter.shopFindings.enumerated()), id: \.offset) { FindingRow(finding: $0.element) }
            Text("Fill in only what you want to change; empty fields stay as they are.").font(.footnote)
            TextField("Shop name", text: $name)
            TextField("Announcement", text: $announcement)
            TextField("Theme colour (#RRGGBB)", text: $theme).textInputAutocapitalization(.characters)
            Button("Save") {
                Task {
                    await presenter.editShop(ShopEdit(
                        name: name.isEmpty ? nil : name,
                        announcement: announcement.isEmpty ? nil : announcement,
                        themeColor: theme.isEmpty ? nil : theme.trimmingCharacters(in: .whitespaces)))
                }
            }
            .disabled(presenter.saving)
            Text("Changes are saved on this phone at once and sent with the next sync.").font(.footnote)
        }
    }
}
