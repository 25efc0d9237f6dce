// Smoke tests of the generated Kotlin bindings (plain JVM flavour) against the real
// libsellerkit_ffi, through JNA. Run by scripts/test-kotlin.sh; no JUnit needed.
//
// The checks use the harness in Checks.kt, whose main runs every suite.
package com.sellerkit.core.tests

import com.sellerkit.core.SellerKitException
import com.sellerkit.core.coreVersion
import com.sellerkit.core.formatMoney
import com.sellerkit.core.parseMoney

/** Checks of the plain functions: version and money. */
fun runSmokeTests() {
    val expectedVersion = System.getProperty("sellerkit.expectedVersion")

    check("core_version matches the Cargo version") {
        assertTrue(!expectedVersion.isNullOrBlank()) { "system property sellerkit.expectedVersion is not set" }
        assertEquals(expectedVersion, coreVersion())
    }
    check("format_money(123450) is ¥1,234.50") {
        assertEquals("¥1,234.50", formatMoney(123450L))
    }
    check("format_money(-5) is -¥0.05") {
        assertEquals("-¥0.05", formatMoney(-5L))
    }
    check("parse_money(\"¥1,234.50\") is 123450") {
        assertEquals(123450L, parseMoney("¥1,234.50"))
    }
    check("parse_money round-trips format_money") {
        for (fen in listOf(0L, 1L, -5L, 99L, 100L, 123450L, -987654321L)) {
            assertEquals(fen, parseMoney(formatMoney(fen)))
        }
    }
    check("parse_money(\"1.234\") throws SellerKitException.InvalidInput mentioning the input") {
        val e = assertThrows<SellerKitException.InvalidInput> { parseMoney("1.234") }
        assertTrue(e.reason.contains("1.234")) { "reason does not mention the input: ${e.reason}" }
        assertTrue(e.message?.contains("1.234") == true) { "message does not mention the input: ${e.message}" }
    }
    check("SellerKitException is a kotlin.Exception") {
        val e: Throwable = assertThrows<SellerKitException> { parseMoney("") }
        assertTrue(e is Exception) { "$e is not an Exception" }
    }

}
