import SwiftUI
import SellerKit

/// One progress bar per phase (push, pull, pictures), cancel, and how the last sync ended.
struct SyncView: View {
    @ObservedObject var presenter: SyncPresenter
    let onDone: () -> Void

    var body: some View {
        Form {
            Section("Sync") {
                ForEach([SyncPhase.push, .pull, .media], id: \.self) { phase in
                    if let progress = presenter.progress[phase] {
                        VStack(alignment: .leading) {
                            Text("\(Self.label(phase)): \(progress.done)\(progress.total.map { " / \($0)" } ?? "")")
                            if let fraction = progress.fraction {
                                ProgressView(value: fraction)
                            } else if presenter.running && presenter.phase == phase {
                                ProgressView().progressViewStyle(.linear)
                            }
                        }
                    }
                }
                if let summary = presenter.lastSummary, !presenter.running {
                    Text("Done: \(summary.changesPulled) changes received, \(summary.pushed) sent, \(summary.mediaDownloaded) pictures.")
                    if summary.conflicts > 0 || summary.rejected > 0 {
                        Text("\(summary.conflicts) conflicts and \(summary.rejected) refused changes need a look.")
                            .foregroundColor(.red)
                    }
                }
                if presenter.cancelled { Text("Sync cancelled. What was already saved stays.") }
                if let ms = presenter.lastSyncMs {
                    Text("Last sync: \(Date(timeIntervalSince1970: Double(ms) / 1000), style: .relative)")
                }
            }
            if let error = presenter.error { ErrorSection(error: error) }
            if presenter.running {
                Button("Cancel", role: .cancel) { presenter.cancel() }.disabled(presenter.cancelling)
            } else {
                Button("Sync now") { Task { await presenter.start() } }
                Button("Back to my shop", action: onDone)
            }
        }
        .onAppear { presenter.refresh() }
    }

    private static func label(_ phase: SyncPhase) -> String {
        switch phase {
        case .push: return String(localized: "Sending your changes")
        case .pull: return String(localized: "Receiving shop data")
        case .media: return String(localized: "Downloading pictures")
        }
    }
}
