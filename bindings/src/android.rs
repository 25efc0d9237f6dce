//! Android only: the JNI entry point that hands the app's `Context` to
//! rustls-platform-verifier, which asks Android's own certificate verifier (system and
//! user CAs, the app's network security config, revocation) about every server certificate.
//!
//! The shell calls it once, before the first `SellerApp.activate` or `sync`:
//!
//! ```kotlin
//! package com.sellerkit.core
//! object SellerKitAndroid {
//!     init { System.loadLibrary("sellerkit_ffi") }
//!     @JvmStatic external fun init(context: android.content.Context)
//! }
//! // in Application.onCreate(): SellerKitAndroid.init(applicationContext)
//! ```
//!
//! Built only for `target_os = "android"` (cargo-ndk); this machine has no NDK, so this file
//! is not compiled by the test run. Threads: the verifier attaches the calling thread to the
//! JVM itself (`JavaVM::attach_current_thread`) for each verification, so SellerKit's tokio
//! workers need no attaching of their own.

use jni::JNIEnv;
use jni::objects::{JClass, JObject};

/// `com.sellerkit.core.SellerKitAndroid.init(context)`. Idempotent: later calls keep the
/// first context. On failure it throws `java.lang.IllegalStateException` (or leaves the
/// Java exception raised by the failing JNI call pending).
///
/// The second parameter is the class for a `@JvmStatic` function; for a plain member of a
/// Kotlin `object` it is the instance. Neither is used, so both declarations work.
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_sellerkit_core_SellerKitAndroid_init<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    context: JObject<'local>,
) {
    // A panic must not unwind into the JVM (it would abort the app).
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rustls_platform_verifier::android::init_with_env(&mut env, context)
            .map_err(|e| e.to_string())
    }))
    .unwrap_or_else(|_| Err("panic while initialising the certificate verifier".to_string()));
    match outcome {
        Ok(()) => tracing::info!("Android certificate verifier initialised"),
        Err(reason) => {
            tracing::error!(%reason, "cannot initialise the Android certificate verifier");
            // Keep a Java exception already raised by the failing call: it says more.
            if !env.exception_check().unwrap_or(false) {
                let _ = env.throw_new(
                    "java/lang/IllegalStateException",
                    format!("SellerKit could not initialise TLS certificate checks: {reason}"),
                );
            }
        }
    }
}
