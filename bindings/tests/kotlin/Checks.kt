// The tiny test harness of the Kotlin suite (no JUnit on this machine's classpath):
// each check prints one line, the run ends with exactly `N passed, M failed` and exits
// non-zero when anything failed or when no check ran.
package com.sellerkit.core.tests

import kotlin.system.exitProcess

internal var passed = 0
internal var failed = 0

/** Runs one check: it passes when [body] returns normally, fails on any throwable. */
internal fun check(name: String, body: () -> Unit) {
    try {
        body()
        passed++
        println("PASS $name")
    } catch (t: Throwable) {
        failed++
        println("FAIL $name: $t")
        t.printStackTrace(System.out)
    }
}

internal fun <T> assertEquals(expected: T, actual: T, what: String = "") {
    // Kotlin infers T = Any for a Long and a ULong, which are never equal: say so plainly.
    val numeric = { x: Any? -> x is Number || x is ULong || x is UInt }
    if (numeric(expected) && numeric(actual) && expected!!::class != actual!!::class) {
        throw AssertionError("${if (what.isEmpty()) "" else "$what: "}compares a ${expected!!::class.simpleName} with a ${actual!!::class.simpleName}")
    }
    if (expected != actual) {
        throw AssertionError("${if (what.isEmpty()) "" else "$what: "}expected <$expected> but was <$actual>")
    }
}

internal fun assertTrue(condition: Boolean, message: () -> String) {
    if (!condition) throw AssertionError(message())
}

/** Runs [body] and returns the exception of type [E] it throws; fails if it throws none. */
internal inline fun <reified E : Throwable> assertThrows(body: () -> Unit): E {
    try {
        body()
    } catch (e: Throwable) {
        if (e is E) return e
        throw AssertionError("expected ${E::class.qualifiedName} but got $e", e)
    }
    throw AssertionError("expected ${E::class.qualifiedName} but nothing was thrown")
}

/** Runs every suite of bindings/tests/kotlin. */
fun main() {
    runSmokeTests()
    runSellerAppTests()
    runWalletTests()
    runLocaleTests()
    runChecklistTests()
    runDashboardTests()
    runStorefrontTests()
    println("$passed passed, $failed failed")
    if (failed > 0 || passed == 0) exitProcess(1)
    // The JVM would otherwise wait for JNA's and the coroutines' non-daemon threads.
    exitProcess(0)
}
