package com.sellerkit.app.presenter

import com.sellerkit.core.SellerApp
import com.sellerkit.core.SellerAppConfig
import java.io.File
import java.nio.file.Files
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.flow.first

/** The start: the database opens on the IO dispatcher, never on the caller's thread. */
fun runStartupTests() {
    val dir = Files.createTempDirectory("sellerkit-startup").toFile()
    val io = Executors.newSingleThreadExecutor { r -> Thread(r, "test-io") }.asCoroutineDispatcher()
    val scope = CoroutineScope(SupervisorJob())

    check("startup: open and isActivated run on the IO dispatcher; Opening until ready") {
        val gate = CountDownLatch(1)
        var openedOn: String? = null
        val presenter = StartupPresenter(scope, io) {
            openedOn = Thread.currentThread().name
            // Hold the open, as slow migrations would: the state must stay Opening.
            gate.await(30, TimeUnit.SECONDS)
            SellerApp.open(
                SellerAppConfig(
                    databasePath = File(dir, "ok/sellerkit.db").path,
                    deviceName = "JVM startup test",
                    platform = "desktop",
                ),
                MemorySecretStore(),
                null,
            )
        }
        assertEquals(Startup.Opening, presenter.state.value, "state while the database opens")
        gate.countDown()
        val ready = presenter.state.first { it !is Startup.Opening }
        assertTrue(ready is Startup.Ready) { "not ready: $ready" }
        assertEquals(false, (ready as Startup.Ready).activated, "a fresh database is not activated")
        assertEquals("test-io", openedOn, "thread that opened the database")
        assertTrue(presenter.awaitApp() === ready.app) { "awaitApp gives another app" }
        ready.app.close()
    }

    check("startup: a file that is not a database ends in Failed(STORAGE), not a crash") {
        val bad = File(dir, "bad/sellerkit.db").apply {
            parentFile.mkdirs()
            writeText("not a database")
        }
        val presenter = StartupPresenter(scope, io) {
            SellerApp.open(
                SellerAppConfig(databasePath = bad.path, deviceName = "JVM startup test", platform = "desktop"),
                MemorySecretStore(),
                null,
            )
        }
        val failed = presenter.state.first { it !is Startup.Opening }
        assertTrue(failed is Startup.Failed) { "not failed: $failed" }
        assertEquals(UiError.Kind.STORAGE, (failed as Startup.Failed).error.kind, "kind")
    }

    io.close()
    dir.deleteRecursively()
}
