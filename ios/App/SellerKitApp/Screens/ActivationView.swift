import SwiftUI

struct ActivationView: View {
    @ObservedObject var presenter: ActivationPresenter

    var body: some View {
        Form {
            Section {
                TextField("Server address", text: $presenter.serverUrl)
                    .keyboardType(.URL)
                    .textInputAutocapitalization(.never)
                    .autocorrectionDisabled()
                TextField("Activation code", text: $presenter.code)
                    .textInputAutocapitalization(.characters)
                    .autocorrectionDisabled()
            } header: {
                Text("Activate this phone")
            } footer: {
                Text("Enter the server address and the activation code from your service card.")
            }
            if let error = presenter.error {
                ErrorSection(error: error)
            }
            Button {
                Task { await presenter.submit() }
            } label: {
                HStack {
                    if presenter.busy { ProgressView() }
                    Text("Activate")
                }
            }
            .disabled(!presenter.canSubmit)
        }
    }
}

/// A localised headline for the error's kind and the core's reason under it.
struct ErrorSection: View {
    let error: UiError

    var body: some View {
        Section {
            VStack(alignment: .leading, spacing: 4) {
                Text(error.headline).font(.headline)
                if !error.reason.isEmpty { Text(error.reason).font(.footnote) }
            }
            .foregroundColor(.red)
        }
    }
}
