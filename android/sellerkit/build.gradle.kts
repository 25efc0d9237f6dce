// :sellerkit: the SellerKit core for Android as a library (AAR).
//
// Its sources are the uniffi-generated Kotlin bindings (Android flavour) and one hand-written
// file, SellerKitAndroid.kt. Both the bindings and the native libraries (jniLibs for
// armeabi-v7a, arm64-v8a, x86_64) are made by ../../scripts/build-android.sh, which the
// `buildRustCore` task runs before every build; nothing generated is edited or committed.
plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.android)
}

val repoRoot: File = rootDir.parentFile
val generatedKotlin = layout.buildDirectory.dir("generated/uniffi/kotlin")
val rustJniLibs = layout.buildDirectory.dir("rustJniLibs")
val rustProfile = providers.gradleProperty("sellerkit.rustProfile").getOrElse("release")

android {
    namespace = "com.sellerkit.core"
    compileSdk = libs.versions.compile.sdk.get().toInt()
    ndkVersion = libs.versions.ndk.get()

    defaultConfig {
        minSdk = libs.versions.min.sdk.get().toInt()
        consumerProguardFiles("consumer-rules.pro")
    }

    sourceSets {
        getByName("main") {
            kotlin.srcDir(generatedKotlin)
            jniLibs.srcDir(rustJniLibs)
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin {
    compilerOptions { jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_17) }
}

/** Cross-compiles the Rust core with cargo-ndk and regenerates the Kotlin bindings. */
val buildRustCore by tasks.registering(Exec::class) {
    group = "build"
    description = "Builds libsellerkit_ffi.so for every ABI and generates the Kotlin bindings"
    workingDir = repoRoot
    commandLine(
        File(repoRoot, "scripts/build-android.sh").path,
        "--profile", rustProfile,
        "--jni-libs", rustJniLibs.get().asFile.path,
        "--kotlin-out", generatedKotlin.get().asFile.path,
    )
    // cargo decides what is stale far better than Gradle could; let it run every time
    // (a no-op build takes a second or two).
    outputs.upToDateWhen { false }
    // The NDK that AGP resolved (ndkVersion above, from the SDK) is the one cargo-ndk uses.
    doFirst {
        environment("ANDROID_NDK_HOME", androidComponents.sdkComponents.ndkDirectory.get().asFile.path)
    }
}

tasks.named("preBuild") { dependsOn(buildRustCore) }

dependencies {
    // JNA as an AAR: it carries libjnidispatch.so for each Android ABI (the plain jar does not).
    api("net.java.dev.jna:jna:${libs.versions.jna.get()}@aar")
    api(libs.kotlinx.coroutines.android)
    // The Android flavour of the bindings marks its Android 14 cleaner with @RequiresApi.
    implementation(libs.androidx.annotation)
    // The JVM half of rustls-platform-verifier: the Rust verifier calls it through JNI.
    implementation(libs.rustls.platform.verifier)
}
