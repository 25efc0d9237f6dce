// The store-setup checklist through SellerApp, from Kotlin on the JVM, against the real dev
// server: states from the synced demo shop, ticks and refusals, words in both languages, and a
// newer definition published on the server replacing the bundled one.
//
// Run by scripts/test-kotlin.sh with the other suites (Checks.kt's main).
package com.sellerkit.core.tests

import com.sellerkit.core.ChecklistCategory
import com.sellerkit.core.ChecklistOverview
import com.sellerkit.core.ChecklistTaskState
import com.sellerkit.core.SellerApp
import com.sellerkit.core.SellerAppConfig
import com.sellerkit.core.SellerKitException
import com.sellerkit.core.Tier
import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import kotlinx.coroutines.runBlocking

private fun ChecklistOverview.state(id: String): ChecklistTaskState =
    tasks.firstOrNull { it.id == id }?.state ?: throw AssertionError("no task $id in ${tasks.map { it.id }}")

private fun publishDefinition(server: DevServer, json: String): String {
    val response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI("${server.url}/dev/checklist-definitions"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString(),
    )
    assertEquals(200, response.statusCode(), "publishing a definition (${response.body().take(300)})")
    return response.body()
}

private fun task(id: String, deps: String, rule: String) = """
    {"id": "$id", "category": "setup", "min_tier": "basic", "depends_on": [$deps], "minutes": 5,
     "title": {"zh-CN": "任务$id", "en": "Task $id"}, "help": {"zh-CN": "这样做。", "en": "Do it so."},
     "rule": $rule}"""

/** The checklist: states, ticks, refusals, languages, a definition from the server. */
fun runChecklistTests() {
    val binary = System.getProperty("sellerkit.devserver")
    val dir = Files.createTempDirectory("sellerkit-checklist-").toFile()
    var server: DevServer? = null
    check("checklist: the dev server starts") {
        assertTrue(!binary.isNullOrBlank()) { "system property sellerkit.devserver is not set" }
        server = DevServer(binary, dir, orders = 50)
    }
    val dev = server ?: run {
        println("FAIL the checklist checks need the dev server")
        failed++
        return
    }
    try {
        checklistChecks(dev, dir)
    } finally {
        dev.close()
        dir.deleteRecursively()
    }
}

private fun checklistChecks(server: DevServer, dir: File) {
    val en = SellerApp.open(
        SellerAppConfig(databasePath = File(dir, "en/sellerkit.db").path, deviceName = "JVM checklist (en)",
            platform = "desktop", locale = "en-US"),
        MemorySecretStore(), null,
    )
    val zh = SellerApp.open(
        SellerAppConfig(databasePath = File(dir, "zh/sellerkit.db").path, deviceName = "JVM checklist (zh)",
            platform = "desktop", locale = "zh-CN"),
        MemorySecretStore(), null,
    )

    check("checklist: before any sync the bundled definition shows, basic package, nothing done") {
        val c = en.checklist()
        assertEquals(false, c.fromServer, "from server")
        assertEquals(Tier.BASIC, c.tier, "tier")
        assertEquals(0u, c.done, "done")
        assertTrue(c.tasks.size >= 15) { "${c.tasks.size} tasks" }
        assertEquals("shop_name", c.nextTaskId, "next")
        assertEquals(ChecklistTaskState.NotInTier(Tier.STANDARD), c.state("licence_disclosure"), "legal task")
    }

    check("checklist: after activation and sync the demo shop's data marks tasks done") {
        runBlocking {
            en.activate(server.url, server.codes.getValue("standard"))
            en.sync(null, null)
            zh.activate(server.url, server.codes.getValue("standard"))
            zh.sync(null, null)
        }
        val c = en.checklist()
        assertEquals(Tier.STANDARD, c.tier, "tier")
        assertEquals(ChecklistTaskState.Done, c.state("shop_name"), "shop_name")
        assertEquals(ChecklistTaskState.Done, c.state("publish_products"), "publish_products")
        assertEquals(ChecklistTaskState.Done, c.state("first_order"), "first_order")
        assertEquals(ChecklistTaskState.Ready, c.state("licence_disclosure"), "licence_disclosure")
        assertEquals(ChecklistTaskState.NotInTier(Tier.PREMIUM), c.state("complaint_channel"), "complaint_channel")
        assertEquals(ChecklistTaskState.Locked(listOf("shipping_setup")), c.state("seven_day_returns"), "seven_day_returns")
        val images = c.tasks.first { it.id == "mobile_main_images" }
        assertTrue(images.countTarget != null && images.countCurrent != null) { "counts: $images" }
        assertTrue(c.done in 1u until c.total) { "partly done: ${c.done} of ${c.total}" }
        assertEquals(c.done * 10_000u / c.total, c.progressBps, "progress")
        val legal = c.tasks.filter { it.category == ChecklistCategory.LEGAL }
        assertTrue(legal.size >= 5 && legal.all { it.help.contains("Law") }) { "legal help: ${legal.map { it.help.take(40) }}" }
    }

    check("checklist: the seller's language picks titles, help and state words") {
        val c = zh.checklist().tasks.first { it.id == "shop_name" }
        assertEquals("给店铺起名", c.title, "zh title")
        assertEquals("已完成", c.stateLabel, "zh state")
        assertEquals("Name your shop", en.checklist().tasks.first { it.id == "shop_name" }.title, "en title")
    }

    check("checklist: automatic, locked, unknown ticks are refused with a code, nothing written") {
        val before = en.status().pendingOutbox
        for ((id, code) in listOf("shop_name" to "automatic", "seven_day_returns" to "locked", "nope" to "unknown_task")) {
            val e = assertThrows<SellerKitException.ChecklistRefused> { en.tickChecklistTask(id) }
            assertEquals(code, e.code, "code for $id")
            assertTrue(e.reason.isNotBlank()) { "reason for $id" }
        }
        val zhError = assertThrows<SellerKitException.ChecklistRefused> { zh.tickChecklistTask("shop_name") }
        assertTrue(zhError.reason.contains("自动")) { "zh reason: ${zhError.reason}" }
        assertEquals(before, en.status().pendingOutbox, "outbox after refusals")
    }

    check("checklist: a manual tick is written with its outbox entry and pushed by the sync") {
        val tick = en.tickChecklistTask("shipping_setup")
        assertEquals(true, tick.done, "done")
        assertTrue(tick.mutationId != null) { "no mutation id" }
        assertEquals(1L, en.status().pendingOutbox, "outbox")
        val c = en.checklist()
        assertEquals(ChecklistTaskState.Done, c.state("shipping_setup"), "shipping_setup")
        assertEquals(ChecklistTaskState.Ready, c.state("seven_day_returns"), "unlocked")
        val summary = runBlocking { en.sync(null, null) }
        assertEquals(1uL, summary.pushed, "pushed")
        assertEquals(1uL, summary.applied, "applied")
        assertEquals(null, en.tickChecklistTask("shipping_setup").mutationId, "ticking again")
        assertEquals(true, en.untickChecklistTask("shipping_setup").mutationId != null, "untick")
    }

    check("checklist: a newer definition published on the server replaces the bundled one") {
        val doc = """{"schema": 1, "version": 7, "tasks": [${task("a", "", """{"kind": "manual"}""")},
            ${task("b", "\"a\"", """{"kind": "first_order"}""")}]}"""
        val answer = publishDefinition(server, """{"document": $doc}""")
        assertTrue(answer.contains("\"problem\":null")) { answer }
        runBlocking { en.sync(null, null) }
        val c = en.checklist()
        assertEquals(true, c.fromServer, "from server")
        assertEquals(7L, c.version, "version")
        assertEquals(listOf("a", "b"), c.tasks.map { it.id }, "tasks")
        assertEquals(ChecklistTaskState.Done, c.state("b"), "b follows the orders")
    }

    check("checklist: an older or broken definition is refused and the current one kept") {
        val cyclic = """{"schema": 1, "version": 8, "tasks": [${task("a", "\"b\"", """{"kind": "manual"}""")},
            ${task("b", "\"a\"", """{"kind": "manual"}""")}]}"""
        publishDefinition(server, """{"document": $cyclic}""")
        runBlocking { en.sync(null, null) }
        assertEquals(7L, en.checklist().version, "version kept")
        val refused = en.refusedChecklistDefinitions()
        assertEquals("cycle", refused.first().code, "refusal code")
        assertEquals(8L, refused.first().version, "refused version")
    }
    en.close()
    zh.close()
}
