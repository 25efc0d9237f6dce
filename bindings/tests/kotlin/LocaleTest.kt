// The seller's language in error reasons, and the closed set of error codes as an enum.
package com.sellerkit.core.tests

import com.sellerkit.core.ErrorCode
import com.sellerkit.core.SellerApp
import com.sellerkit.core.SellerAppConfig
import com.sellerkit.core.SellerKitException
import com.sellerkit.core.SyncEvent
import com.sellerkit.core.errorCodeName
import java.io.File
import java.nio.file.Files
import kotlinx.coroutines.runBlocking

private fun localeConfig(dir: File, name: String, locale: String?) = SellerAppConfig(
    databasePath = File(dir, "$name/sellerkit.db").path,
    deviceName = "JVM locale test ($name)",
    platform = "desktop",
    locale = locale,
)

/** A sync error's reason in zh-CN (the default) and in English, and the code enum. */
fun runLocaleTests() {
    val dir = Files.createTempDirectory("sellerkit-locale").toFile()
    val zh = SellerApp.open(localeConfig(dir, "zh", null), MemorySecretStore(), null)
    val en = SellerApp.open(localeConfig(dir, "en", "en-GB"), MemorySecretStore(), null)

    check("locale: a sync error's reason is Chinese by default, with code NOT_ACTIVATED") {
        val listener = RecordingListener()
        val e = assertThrows<SellerKitException.NotActivated> { runBlocking { zh.sync(listener, null) } }
        assertTrue(e.reason.contains("激活")) { "not a Chinese reason: ${e.reason}" }
        val failed = listener.awaitEnd()
        assertTrue(failed is SyncEvent.Failed) { "terminal event $failed" }
        failed as SyncEvent.Failed
        assertEquals(ErrorCode.NOT_ACTIVATED, failed.errorCode, "error code")
        assertEquals("not_activated", failed.code, "code text")
        assertEquals(e.reason, failed.reason, "the event's reason is the exception's")
    }

    check("locale: the same sync error reads in English for an en-GB phone") {
        val listener = RecordingListener()
        val e = assertThrows<SellerKitException.NotActivated> { runBlocking { en.sync(listener, null) } }
        assertTrue(e.reason.contains("not activated")) { "not the English reason: ${e.reason}" }
        assertTrue(e.reason.none { it in '\u4e00'..'\u9fff' }) { "Chinese in the English reason: ${e.reason}" }
        val failed = listener.awaitEnd() as SyncEvent.Failed
        assertEquals(ErrorCode.NOT_ACTIVATED, failed.errorCode, "error code")
    }

    check("locale: every error code has its stable snake_case name") {
        val names = ErrorCode.values().map { errorCodeName(it) }
        assertEquals(names.size, names.toSet().size, "distinct names")
        assertTrue(names.all { n -> n.all { it in 'a'..'z' || it == '_' } }) { "names: $names" }
        assertEquals("secret_store", errorCodeName(ErrorCode.SECRET_STORE), "secret store")
        assertEquals("other_shop", errorCodeName(ErrorCode.OTHER_SHOP), "other shop")
    }

    zh.close()
    en.close()
    dir.deleteRecursively()
}
