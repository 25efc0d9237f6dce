// The SellerApp facade end to end, from Kotlin on the JVM: the generated bindings call the
// real libsellerkit_ffi (JNA), which syncs with the real dev server on 127.0.0.1.
//
// Run by scripts/test-kotlin.sh, which passes the dev server binary as
// -Dsellerkit.devserver=PATH. The phone's secret store and log are in-memory fakes behind
// the same interfaces the Android shell implements.
package com.sellerkit.core.tests

import com.sellerkit.core.ActivationInfo
import com.sellerkit.core.CancelHandle
import com.sellerkit.core.LogLevel
import com.sellerkit.core.LogRecord
import com.sellerkit.core.LogSink
import com.sellerkit.core.SecretStore
import com.sellerkit.core.SellerApp
import com.sellerkit.core.SellerAppConfig
import com.sellerkit.core.SellerKitException
import com.sellerkit.core.SyncEvent
import com.sellerkit.core.SyncListener
import com.sellerkit.core.SyncPhase
import com.sellerkit.core.SyncProgress
import com.sellerkit.core.SyncSummary
import com.sellerkit.core.Tier
import java.io.File
import java.net.URI
import java.nio.file.Files
import java.util.Collections
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import kotlin.concurrent.thread
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking

/** The phone's secure storage, in memory; [failure] makes every call throw it. */
class MemorySecretStore : SecretStore {
    private val map = ConcurrentHashMap<String, String>()

    @Volatile
    var failure: Exception? = null

    override fun get(key: String): String? {
        failure?.let { throw it }
        return map[key]
    }

    override fun set(key: String, value: String) {
        failure?.let { throw it }
        map[key] = value
    }

    override fun delete(key: String) {
        failure?.let { throw it }
        map.remove(key)
    }

    fun keys(): Set<String> = map.keys.toSet()
}

/** The phone's log (logcat in the Android shell), collected for checks. */
class CollectingLogSink : LogSink {
    val records: MutableList<LogRecord> = Collections.synchronizedList(mutableListOf())

    override fun log(record: LogRecord) {
        records.add(record)
    }
}

/** Records a sync's progress and events; [onProgressHook] runs inside each progress call. */
class RecordingListener(private val onProgressHook: (SyncProgress) -> Unit = {}) : SyncListener {
    val progress: MutableList<SyncProgress> = Collections.synchronizedList(mutableListOf())
    val events: MutableList<SyncEvent> = Collections.synchronizedList(mutableListOf())
    private val ended = CountDownLatch(1)

    override fun onProgress(progress: SyncProgress) {
        this.progress.add(progress)
        onProgressHook(progress)
    }

    override fun onEvent(event: SyncEvent) {
        events.add(event)
        if (event !is SyncEvent.Started) ended.countDown()
    }

    /** Waits for the terminal event (the sync may outlive a cancelled coroutine). */
    fun awaitEnd(): SyncEvent {
        assertTrue(ended.await(60, TimeUnit.SECONDS)) { "no terminal sync event; events: $events" }
        return events.last()
    }
}

/** The dev server binary, started on a free loopback port with the demo shop. */
class DevServer(binary: String, dir: File, orders: Int) : AutoCloseable {
    private val process: Process
    val url: String
    /** shop_demo's activation codes by tier spelling (`basic`, `standard`, `premium`). */
    val codes = mutableMapOf<String, String>()

    init {
        process = ProcessBuilder(
            binary, "--db", File(dir, "devserver.db").path, "--seed", "demo",
            "--orders", orders.toString(), "--addr", "127.0.0.1:0",
        ).redirectError(File(dir, "devserver.log")).start()
        Runtime.getRuntime().addShutdownHook(Thread { process.destroyForcibly() })
        val out = process.inputStream.bufferedReader()
        var listening: String? = null
        val code = Regex("""^activation code shop_demo (\w+): (\S+)$""")
        while (listening == null || codes.size < 3) {
            val line = out.readLine()
                ?: throw IllegalStateException(
                    "the dev server stopped before it was ready; its log: " +
                        File(dir, "devserver.log").readText().takeLast(2000),
                )
            line.removePrefix("listening on ").takeIf { it != line }?.let { listening = it.trim() }
            code.find(line)?.let { codes[it.groupValues[1]] = it.groupValues[2] }
        }
        url = listening!!
        thread(isDaemon = true, name = "devserver-stdout") { out.forEachLine { } }
    }

    /** The server's entity counts of shop_demo (`order`, `product`, `image`, ...). */
    fun counts(): Map<String, Long> {
        val json = URI("$url/dev/shops/shop_demo/digest").toURL().readText()
        val counts = Regex(""""counts"\s*:\s*\{([^}]*)\}""").find(json)?.groupValues?.get(1)
            ?: throw AssertionError("no counts in the digest: $json")
        return Regex(""""(\w+)"\s*:\s*(\d+)""").findAll(counts)
            .associate { it.groupValues[1] to it.groupValues[2].toLong() }
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor()
    }
}

private fun config(dir: File, name: String, timeZone: String? = null) = SellerAppConfig(
    databasePath = File(dir, "$name/sellerkit.db").path,
    timeZone = timeZone,
    deviceName = "JVM test ($name)",
    platform = "desktop",
    // The checks below read English reasons; LocaleTest checks both languages.
    locale = "en",
)

/** Checks that a listener saw a well-formed sync: Started, sane progress, then [last]. */
private fun checkEvents(listener: RecordingListener, last: (SyncEvent) -> Boolean) {
    val events = listener.events.toList()
    assertEquals(SyncEvent.Started, events.firstOrNull(), "first event")
    assertEquals(2, events.size, "events (Started and one terminal event): $events")
    assertTrue(last(events.last())) { "unexpected terminal event ${events.last()}" }
}

/** Progress moves through the phases in order, `done` never decreases within a phase and
 *  stays within a known total. */
private fun checkProgress(progress: List<SyncProgress>) {
    assertTrue(progress.isNotEmpty()) { "no progress reported" }
    var previous: SyncProgress? = null
    for (p in progress) {
        previous?.let { prev ->
            assertTrue(p.phase.ordinal >= prev.phase.ordinal) { "phase went back: $prev then $p" }
            if (p.phase == prev.phase) {
                assertTrue(p.done >= prev.done) { "done went back: $prev then $p" }
            }
        }
        p.total?.let { total -> assertTrue(p.done <= total) { "done beyond total: $p" } }
        previous = p
    }
}

/** The facade: open, status, activation, sync with progress, cancellation, error mapping. */
fun runSellerAppTests() {
    val binary = System.getProperty("sellerkit.devserver")
    val dir = Files.createTempDirectory("sellerkit-kotlin-").toFile()
    var server: DevServer? = null
    check("the dev server starts and prints its URL and activation codes") {
        assertTrue(!binary.isNullOrBlank() && File(binary).canExecute()) {
            "system property sellerkit.devserver does not name the dev server binary: $binary"
        }
        server = DevServer(binary, dir, orders = 2000)
    }
    val dev = server ?: run {
        println("FAIL the SellerApp checks need the dev server")
        failed++
        return
    }
    try {
        sellerAppChecks(dev, dir)
    } finally {
        dev.close()
        dir.deleteRecursively()
    }
}

private fun sellerAppChecks(server: DevServer, dir: File) {
    val logs = CollectingLogSink()
    val secrets = MemorySecretStore()
    val serverCounts = server.counts()
    val standard = server.codes.getValue("standard")

    check("CancelHandle starts uncancelled and stays cancelled") {
        val handle = CancelHandle()
        assertEquals(false, handle.isCancelled())
        handle.cancel()
        handle.cancel()
        assertEquals(true, handle.isCancelled())
        handle.close()
    }

    check("open refuses an unknown time zone with InvalidInput") {
        val e = assertThrows<SellerKitException.InvalidInput> {
            SellerApp.open(config(dir, "badzone", timeZone = "Mars/Olympus_Mons"), MemorySecretStore(), null)
        }
        assertTrue(e.reason.contains("Mars/Olympus_Mons")) { "reason does not name the zone: ${e.reason}" }
    }

    check("open refuses an empty database path with InvalidInput") {
        assertThrows<SellerKitException.InvalidInput> {
            SellerApp.open(config(dir, "x").copy(databasePath = " "), MemorySecretStore(), null)
        }
    }

    check("open refuses a file that is not a SellerKit database with Storage, leaving it alone") {
        val file = File(dir, "notes.txt").apply { writeText("not a database, just notes\n".repeat(200)) }
        val before = file.readBytes()
        assertThrows<SellerKitException.Storage> {
            SellerApp.open(config(dir, "x").copy(databasePath = file.path), MemorySecretStore(), null)
        }
        assertTrue(before.contentEquals(file.readBytes())) { "the file was changed" }
    }

    val app = SellerApp.open(config(dir, "phone", timeZone = "Asia/Shanghai"), secrets, logs)

    check("config() fills in the defaults") {
        val effective = app.config()
        assertEquals(File(dir, "phone/media").path, effective.mediaDir, "media dir")
        assertEquals("Asia/Shanghai", effective.timeZone, "time zone")
        assertEquals(LogLevel.INFO, effective.logLevel, "log level")
    }

    check("before activation: not activated, empty status, no conflicts") {
        assertEquals(false, app.isActivated())
        val status = app.status()
        assertEquals(false, status.activated, "activated")
        assertEquals(null, status.shopId, "shop id")
        assertEquals(0L, status.orders, "orders")
        assertEquals(0L, status.products, "products")
        assertEquals(0L, status.pendingOutbox, "outbox")
        assertEquals(null, status.lastSyncMs, "last sync")
        assertEquals(emptyList<Any>(), app.conflicts())
    }

    check("sync before activation raises NotActivated and reports Failed(not_activated)") {
        val listener = RecordingListener()
        val e = assertThrows<SellerKitException.NotActivated> { runBlocking { app.sync(listener, null) } }
        assertTrue(e.reason.contains("activate")) { "reason does not say what to do: ${e.reason}" }
        checkEvents(listener) { it is SyncEvent.Failed && it.code == "not_activated" }
    }

    check("a bad activation code raises Rejected(invalid_activation_code)") {
        val e = assertThrows<SellerKitException.Rejected> {
            runBlocking { app.activate(server.url, "STD-0000-0000") }
        }
        assertEquals("invalid_activation_code", e.code, "code")
        assertTrue(e.reason.isNotBlank()) { "empty reason" }
        assertEquals(false, app.isActivated())
    }

    check("a plain http:// URL to another host raises InvalidInput") {
        assertThrows<SellerKitException.InvalidInput> {
            runBlocking { app.activate("http://example.com", standard) }
        }
    }

    check("an unreachable server raises Network") {
        // A port that was free a moment ago: nobody listens there.
        val port = java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()).use { it.localPort }
        val offline = SellerApp.open(config(dir, "offline"), MemorySecretStore(), null)
        assertThrows<SellerKitException.Network> {
            runBlocking { offline.activate("http://127.0.0.1:$port", standard) }
        }
        offline.close()
    }

    var activation: ActivationInfo? = null
    check("activate with the real code returns the shop and stores the token") {
        activation = runBlocking { app.activate(server.url, standard) }
        val a = activation!!
        assertEquals("shop_demo", a.shopId, "shop")
        assertEquals(Tier.STANDARD, a.tier, "tier")
        assertEquals(server.url, a.serverUrl.trimEnd('/'), "server")
        assertTrue(a.deviceId.isNotBlank() && a.shopName.isNotBlank()) { "empty device id or shop name: $a" }
        assertTrue(secrets.keys().isNotEmpty()) { "no token in the secret store" }
        assertEquals(true, app.isActivated())
    }

    var first: SyncSummary? = null
    check("sync reports Started, progress through push, pull and media, then Finished") {
        val listener = RecordingListener()
        val summary = runBlocking { app.sync(listener, null) }
        first = summary
        checkEvents(listener) { it == SyncEvent.Finished(summary) }
        val progress = listener.progress.toList()
        checkProgress(progress)
        assertEquals(listOf(SyncPhase.PUSH, SyncPhase.PULL, SyncPhase.MEDIA), progress.map { it.phase }.distinct())
        val pull = progress.filter { it.phase == SyncPhase.PULL }
        assertTrue(pull.size >= 3) { "expected several pull pages for ${serverCounts["order"]} orders: $pull" }
        assertEquals(summary.changesPulled, pull.last().done, "pull done at the end")
        assertEquals(summary.changesPulled, pull.last().total, "pull total at the end")
        val media = progress.filter { it.phase == SyncPhase.MEDIA }
        assertEquals(summary.mediaDownloaded, media.last().done, "media done at the end")
        assertEquals(serverCounts.values.sum().toULong(), summary.changesPulled, "changes pulled")
        assertTrue(summary.wireBytes > 0UL) { "no wire bytes counted: $summary" }
    }

    check("after the sync the status matches the server's shop") {
        val status = app.status()
        assertEquals(true, status.activated, "activated")
        assertEquals(serverCounts["order"], status.orders, "orders")
        assertEquals(serverCounts["product"], status.products, "products")
        assertEquals("shop_demo", status.shopId, "shop id")
        assertEquals(activation?.shopName, status.shopName, "shop name")
        assertEquals(Tier.STANDARD, status.tier, "tier")
        assertTrue(status.lastSyncMs != null) { "no last sync time" }
        assertEquals(null, status.lastSyncError, "last sync error")
        assertEquals(serverCounts["image"]?.toULong(), first?.mediaDownloaded, "pictures downloaded")
    }

    check("a second sync pulls nothing new") {
        val listener = RecordingListener()
        val summary = runBlocking { app.sync(listener, null) }
        assertEquals(0UL, summary.changesPulled, "changes pulled")
        assertEquals(0UL, summary.mediaDownloaded, "pictures downloaded")
        checkEvents(listener) { it is SyncEvent.Finished }
        assertEquals(serverCounts["order"], app.status().orders, "orders")
    }

    check("log records arrive in the LogSink, with SellerKit's targets and levels") {
        val records = logs.records.toList()
        assertTrue(records.any { it.target.startsWith("sellerkit") && it.level == LogLevel.INFO && it.message.contains("activated") }) {
            "no activation record among ${records.size}: ${records.take(20)}"
        }
        assertTrue(records.any { it.message.contains("sync finished") }) { "no sync record" }
        assertTrue(records.none { it.level == LogLevel.TRACE || it.level == LogLevel.DEBUG }) {
            "records beyond the Info level: ${records.filter { it.level > LogLevel.INFO }.take(5)}"
        }
    }

    check("a CancelHandle cancelled from the listener mid-pull raises Cancelled; the next sync completes") {
        val phone = SellerApp.open(config(dir, "cancelled"), MemorySecretStore(), null)
        runBlocking { phone.activate(server.url, standard) }
        val handle = CancelHandle()
        val listener = RecordingListener { p -> if (p.phase == SyncPhase.PULL && p.done > 0UL) handle.cancel() }
        assertThrows<SellerKitException.Cancelled> { runBlocking { phone.sync(listener, handle) } }
        checkEvents(listener) { it == SyncEvent.Cancelled }
        val kept = phone.status().orders
        assertTrue(kept < serverCounts.getValue("order")) { "the cancelled sync still pulled every order ($kept)" }
        assertTrue(listener.progress.none { it.phase == SyncPhase.MEDIA }) { "media phase after cancel" }
        // What was committed stays: the next sync resumes and completes.
        val again = RecordingListener()
        val summary = runBlocking { phone.sync(again, CancelHandle()) }
        checkEvents(again) { it is SyncEvent.Finished }
        assertEquals(serverCounts["order"], phone.status().orders, "orders after the resumed sync")
        assertTrue(summary.changesPulled < serverCounts.values.sum().toULong()) { "the resumed sync started over: $summary" }
        phone.close()
    }

    check("a sync given an already cancelled handle raises Cancelled at once") {
        val handle = CancelHandle().apply { cancel() }
        val listener = RecordingListener()
        assertThrows<SellerKitException.Cancelled> { runBlocking { app.sync(listener, handle) } }
        checkEvents(listener) { it == SyncEvent.Cancelled }
    }

    check("cancelling the calling coroutine stops the sync (job.cancel)") {
        val phone = SellerApp.open(config(dir, "coroutine"), MemorySecretStore(), null)
        runBlocking { phone.activate(server.url, standard) }
        val inPull = CompletableDeferred<Unit>()
        val release = CountDownLatch(1)
        // The listener holds the sync inside its first pull page until the coroutine is
        // cancelled, so the cancellation deterministically lands mid-pull.
        val listener = RecordingListener { p ->
            if (p.phase == SyncPhase.PULL && p.done > 0UL && inPull.complete(Unit)) release.await(60, TimeUnit.SECONDS)
        }
        var outcome: Throwable? = null
        runBlocking {
            val job = launch(Dispatchers.Default) {
                try {
                    phone.sync(listener, null)
                } catch (t: Throwable) {
                    outcome = t
                    throw t
                }
            }
            inPull.await()
            job.cancel()
            job.join()
            release.countDown()
        }
        assertTrue(outcome is kotlinx.coroutines.CancellationException) { "the coroutine ended with $outcome" }
        assertEquals(SyncEvent.Cancelled, listener.awaitEnd(), "terminal event")
        assertTrue(phone.status().orders < serverCounts.getValue("order")) { "the sync ran to the end" }
        val summary = runBlocking { phone.sync(null, null) }
        assertEquals(serverCounts["order"], phone.status().orders, "orders after the next sync ($summary)")
        phone.close()
    }

    check("a secret store throwing a Kotlin exception becomes Storage, not a crash") {
        val broken = MemorySecretStore().apply { failure = IllegalStateException("keystore exploded") }
        val phone = SellerApp.open(config(dir, "broken-keystore"), broken, null)
        val e = assertThrows<SellerKitException.Storage> { runBlocking { phone.activate(server.url, standard) } }
        assertTrue(e.reason.contains("keystore exploded")) { "reason does not carry the exception: ${e.reason}" }
        phone.close()
    }

    check("a secret store throwing SellerKitException.Storage: status raises Storage, isActivated is false, sync fails") {
        val store = MemorySecretStore()
        val phone = SellerApp.open(config(dir, "locked-keystore"), store, null)
        runBlocking { phone.activate(server.url, standard) }
        store.failure = SellerKitException.Storage("keystore locked")
        val e = assertThrows<SellerKitException.Storage> { phone.status() }
        assertTrue(e.reason.contains("keystore locked")) { "reason: ${e.reason}" }
        assertEquals(false, phone.isActivated())
        val listener = RecordingListener()
        assertThrows<SellerKitException.Storage> { runBlocking { phone.sync(listener, null) } }
        checkEvents(listener) { it is SyncEvent.Failed && it.code == "secret_store" }
        store.failure = null
        assertEquals(true, phone.isActivated())
        phone.close()
    }

    check("a listener that throws does not stop the sync") {
        val listener = object : SyncListener {
            override fun onProgress(progress: SyncProgress) {
                throw IllegalStateException("UI gone")
            }

            override fun onEvent(event: SyncEvent) {
                throw SellerKitException.Internal("listener bug")
            }
        }
        val summary = runBlocking { app.sync(listener, null) }
        assertEquals(0UL, summary.changesPulled, "changes pulled")
    }

    check("close() releases the app; a new SellerApp on the same database sees the same data") {
        val orders = app.status().orders
        app.close()
        SellerApp.open(config(dir, "phone"), secrets, null).use { reopened ->
            assertEquals(true, reopened.isActivated())
            assertEquals(orders, reopened.status().orders, "orders")
        }
    }
}
