package com.sellerkit.core

import android.content.Context

/**
 * Android-only setup of the SellerKit core. Call [init] once, before opening a [SellerApp]
 * (the app's `Application.onCreate` is the place).
 *
 * HTTPS in the core verifies certificates with Android's own trust manager (through
 * rustls-platform-verifier), so that certificates the user or the device's admin installed are
 * honoured; the Rust side needs the JVM and the application context for that.
 */
object SellerKitAndroid {
    init {
        // JNI resolves `external` functions in libraries loaded by this class loader; JNA
        // (the uniffi bindings) loads the same library again later, which is a no-op.
        System.loadLibrary("sellerkit_ffi")
    }

    /**
     * Hands [context] (kept as its application context by the Rust side) to the platform
     * certificate verifier. Idempotent; must run before the first network call.
     */
    @JvmStatic
    external fun init(context: Context)
}
