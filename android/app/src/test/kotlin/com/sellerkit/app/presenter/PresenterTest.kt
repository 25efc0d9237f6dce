// Tests of the Android app's presenters on the desktop JVM, against the real core (the
// generated JVM-flavour bindings over libsellerkit_ffi) and the real dev server on 127.0.0.1.
// Run by scripts/test-shells.sh; no JUnit: a tiny runner prints one line per check and ends
// with exactly `N passed, M failed`, exiting non-zero when anything failed. The wallet's
// checks are in WalletPresenterTest.kt and run after these, on the activated phone.
package com.sellerkit.app.presenter

import com.sellerkit.core.SecretStore
import com.sellerkit.core.SellerApp
import com.sellerkit.core.SellerAppConfig
import com.sellerkit.core.SellerKitException
import com.sellerkit.core.SyncPhase
import com.sellerkit.core.Tier
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import java.io.File
import java.net.HttpURLConnection
import java.net.URI
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.system.exitProcess

internal var passed = 0
internal var failed = 0

/** Runs one check: it passes when [body] returns normally, fails on any throwable. */
internal fun check(name: String, body: suspend () -> Unit) {
    try {
        runBlocking { withTimeout(120_000) { body() } }
        passed++
        println("PASS $name")
    } catch (t: Throwable) {
        failed++
        println("FAIL $name: $t")
    }
}

internal fun <T> assertEquals(expected: T, actual: T, what: String = "value") {
    if (expected != actual) throw AssertionError("$what: expected <$expected> but was <$actual>")
}

internal fun assertTrue(condition: Boolean, message: () -> String) {
    if (!condition) throw AssertionError(message())
}

/** The phone's secret store, faked in memory behind the same interface the shells implement. */
internal class MemorySecretStore : SecretStore {
    val values = ConcurrentHashMap<String, String>()
    override fun get(key: String): String? = values[key]
    override fun set(key: String, value: String) { values[key] = value }
    override fun delete(key: String) { values.remove(key) }
}

/** The dev server as a child process; it prints its URL and one activation code per tier. */
internal class DevServer(binary: String, db: File) : AutoCloseable {
    private val process: Process = ProcessBuilder(
        binary, "--db", db.path, "--addr", "127.0.0.1:0", "--seed", "demo", "--orders", "500",
    ).redirectError(ProcessBuilder.Redirect.INHERIT).start()
    val url: String
    val codes = mutableMapOf<String, String>()

    init {
        val lines = process.inputStream.bufferedReader()
        var found: String? = null
        while (found == null || codes.size < 3) {
            val line = lines.readLine() ?: error("dev server exited before printing its URL and codes")
            Regex("^listening on (\\S+)").find(line)?.let { found = it.groupValues[1] }
            Regex("^activation code shop_demo (\\w+): (\\S+)").find(line)?.let { codes[it.groupValues[1]] = it.groupValues[2] }
        }
        url = found!!
        // Keep draining its output so that it never blocks on a full pipe.
        Thread { lines.forEachLine { } }.apply { isDaemon = true }.start()
    }

    /** The shop's counts per entity kind, as the server computes them. */
    fun count(kind: String): Long {
        val connection = URI("$url/dev/shops/shop_demo/digest").toURL().openConnection() as HttpURLConnection
        val body = connection.inputStream.bufferedReader().use { it.readText() }
        return Regex("\"$kind\":(\\d+)").find(body)?.groupValues?.get(1)?.toLong()
            ?: error("no count of '$kind' in the digest: $body")
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly()
    }
}

internal fun openApp(dir: File, name: String, locale: String? = null): SellerApp {
    val home = File(dir, name).apply { mkdirs() }
    return SellerApp.open(
        SellerAppConfig(
            databasePath = File(home, "sellerkit.db").path,
            mediaDir = File(home, "media").path,
            timeZone = null,
            // Debian's fonts (Latin, then CJK) for the storefront preview.
            fontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
            deviceName = "presenter test $name",
            platform = "desktop",
            extraRootCaPem = null,
            locale = locale,
        ),
        MemorySecretStore(),
        null,
    )
}

fun main() {
    val devserver = System.getProperty("sellerkit.devserver")
        ?: error("system property sellerkit.devserver (the dev server binary) is not set")
    val work = File(System.getProperty("sellerkit.workDir") ?: error("sellerkit.workDir is not set"), "presenters")
    work.mkdirs()
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

    DevServer(devserver, File(work, "devserver.db")).use { server ->
        val app = openApp(work, "phone")

        check("UiError maps each SellerKitException to its kind and keeps the reason") {
            assertEquals(UiError(UiError.Kind.NETWORK, "offline"), UiError.from(SellerKitException.Network("offline")))
            assertEquals(UiError(UiError.Kind.REJECTED, "no", "c"), UiError.from(SellerKitException.Rejected("c", "no")))
            assertEquals(UiError.Kind.CANCELLED, UiError.from(SellerKitException.Cancelled()).kind)
            assertEquals(UiError.Kind.STORAGE, UiError.from(SellerKitException.Storage("disk")).kind)
            assertEquals(
                UiError(UiError.Kind.COUPON_REFUSED, "used", "used_up"),
                UiError.from(SellerKitException.CouponRefused("used_up", "used")),
            )
        }

        check("home before activation: no shop, nothing synced") {
            val home = HomePresenter(app, scope)
            home.refresh().join()
            val s = home.state.value
            assertEquals(null, s.error, "error")
            assertEquals(false, s.loading, "loading")
            assertEquals(null, s.shopName, "shop name")
            assertEquals(0L, s.orders, "orders")
            assertEquals(FeatureCard.entries, s.cards, "placeholder cards")
        }

        check("sync before activation shows the not-activated error") {
            val sync = SyncPresenter(app, scope)
            sync.start()!!.join()
            val s = sync.state.value
            assertEquals(UiError.Kind.NOT_ACTIVATED, s.error?.kind, "error kind")
            assertTrue(s.error!!.reason.isNotBlank()) { "empty reason" }
            assertEquals(false, s.running, "running")
        }

        val activation = ActivationPresenter(app, scope)

        check("activation cannot be submitted with an empty code") {
            activation.onServerUrlChange(server.url)
            assertEquals(false, activation.state.value.canSubmit, "canSubmit")
            assertEquals(null, activation.submit(), "job")
        }

        check("activation with a bad code shows the server's reason and stays") {
            activation.onCodeChange("STD-NOT-A-REAL-CODE")
            activation.submit()!!.join()
            val s = activation.state.value
            assertEquals(UiError.Kind.REJECTED, s.error?.kind, "error kind")
            assertTrue(s.error!!.reason.contains("activation code")) { "reason does not explain: ${s.error}" }
            assertEquals(null, s.activated, "activated")
            assertEquals(false, s.busy, "busy")
            assertEquals(false, app.isActivated(), "app activated")
        }

        check("editing the code clears the error") {
            activation.onCodeChange("x")
            assertEquals(null, activation.state.value.error, "error")
        }

        check("activation with a good code moves on with the shop and tier") {
            activation.onCodeChange("  ${server.codes.getValue("standard")} ")
            activation.submit()!!.join()
            val s = activation.state.value
            assertEquals(null, s.error, "error")
            val info = s.activated ?: throw AssertionError("not activated")
            assertEquals("shop_demo", info.shopId, "shop id")
            assertEquals(Tier.STANDARD, info.tier, "tier")
            assertTrue(info.shopName.isNotBlank()) { "no shop name" }
            assertEquals(true, app.isActivated(), "app activated")
        }

        val sync = SyncPresenter(app, scope)

        check("sync shows progress while running and finishes with a summary") {
            val seen = mutableListOf<SyncState>()
            val watcher = scope.launch { sync.state.collect { synchronized(seen) { seen += it } } }
            sync.start()!!.join()
            watcher.cancel()
            val s = sync.state.value
            assertEquals(null, s.error, "error")
            assertEquals(false, s.running, "running")
            assertEquals(false, s.cancelled, "cancelled")
            val summary = s.lastSummary ?: throw AssertionError("no summary")
            assertTrue(summary.changesPulled > 0uL) { "nothing pulled: $summary" }
            val pull = s.progress[SyncPhase.PULL] ?: throw AssertionError("no pull progress: ${s.progress}")
            assertTrue(pull.done > 0uL) { "pull progress stayed at 0: $pull" }
            assertTrue(s.lastSyncMs != null) { "no last sync time" }
            val whileRunning = synchronized(seen) { seen.filter { it.running && it.progress.isNotEmpty() } }
            assertTrue(whileRunning.isNotEmpty()) { "no progress was shown while running (${seen.size} states)" }
        }

        check("home after sync shows the shop with the server's counts") {
            val home = HomePresenter(app, scope)
            home.refresh().join()
            val s = home.state.value
            assertEquals(null, s.error, "error")
            assertEquals(activation.state.value.activated?.shopName, s.shopName, "shop name")
            assertEquals(Tier.STANDARD, s.tier, "tier")
            assertEquals(server.count("product"), s.products, "products")
            assertEquals(server.count("order"), s.orders, "orders")
            assertTrue(s.lastSyncMs != null) { "no last sync" }
            assertEquals(0L, s.openConflicts, "open conflicts")
        }

        check("cancel pressed while a sync is starting stops it; the next sync finishes") {
            sync.state.first { !it.running }
            // An up-to-date shop syncs in milliseconds, so on a busy machine the sync could
            // end before cancel() is reached and the check would race. The presenter's scope
            // runs on one thread held by a latch until cancel was pressed: the sync has
            // started (running, a handle) but cannot finish first.
            val gate = CountDownLatch(1)
            val executor = Executors.newSingleThreadExecutor()
            executor.execute { gate.await() }
            val dispatcher = executor.asCoroutineDispatcher()
            val gated = CoroutineScope(SupervisorJob() + dispatcher)
            try {
                val presenter = SyncPresenter(app, gated)
                val job = presenter.start() ?: throw AssertionError("sync did not start")
                assertEquals(true, presenter.state.value.running, "running after start")
                presenter.cancel()
                assertEquals(true, presenter.state.value.cancelling, "cancelling")
                gate.countDown()
                job.join()
                val s = presenter.state.value
                assertEquals(true, s.cancelled, "cancelled")
                assertEquals(null, s.error, "error")
                assertEquals(false, s.running, "running")
                assertEquals(false, s.cancelling, "cancelling after the end")
                presenter.start()!!.join()
                assertEquals(false, presenter.state.value.cancelled, "cancelled after the second sync")
                assertEquals(null, presenter.state.value.error, "error after the second sync")
                assertTrue(presenter.state.value.lastSummary != null) { "the second sync left no summary" }
            } finally {
                gate.countDown()
                gated.cancel()
                dispatcher.close()
            }
        }

        check("cancel after the sync ended changes nothing") {
            sync.start()!!.join()
            sync.cancel()
            val s = sync.state.value
            assertEquals(false, s.cancelling, "cancelling")
            assertEquals(false, s.cancelled, "cancelled")
            assertEquals(null, s.error, "error")
        }

        check("a second start while a sync runs is refused") {
            val first = sync.start() ?: throw AssertionError("sync did not start")
            assertEquals(null, sync.start(), "second job")
            first.join()
        }

        walletChecks(server, work, app, scope)
        checklistChecks(app, scope)
        dashboardChecks(app, scope)
        storefrontChecks(app, scope)

        app.close()
    }
    scope.cancel()
    runStartupTests()

    println("$passed passed, $failed failed")
    if (failed > 0 || passed == 0) exitProcess(1)
}
