// The SellerKit Android shell: `:sellerkit` wraps the Rust core (generated uniffi bindings +
// the native libraries built by cargo-ndk) and `:app` is the Compose app sellers use.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
        // The Kotlin half of rustls-platform-verifier ships inside its crate as a local maven
        // repository; `cargo metadata` says where cargo unpacked it (see rustlsVerifierMaven).
        maven {
            url = uri(rustlsVerifierMaven())
            metadataSources { artifact() }
            content { includeGroup("rustls") }
        }
    }
}

rootProject.name = "SellerKit"
include(":sellerkit", ":app")

/**
 * The `maven/` folder of the rustls-platform-verifier-android crate that the workspace's
 * Cargo.lock resolves to, as that crate's README asks (it must match the Rust side exactly).
 */
fun rustlsVerifierMaven(): File {
    val workspace = rootDir.parentFile
    val json = providers.exec {
        workingDir = workspace
        commandLine(
            "cargo", "metadata", "--format-version", "1", "--locked",
            "--filter-platform", "aarch64-linux-android",
            "--manifest-path", File(workspace, "bindings/Cargo.toml").path,
        )
    }.standardOutput.asText.get()
    // Avoids a JSON library in the settings script: the manifest paths are plain strings.
    val manifest = Regex("\"manifest_path\":\"([^\"]*rustls-platform-verifier-android-[^\"]*Cargo\\.toml)\"")
        .find(json)?.groupValues?.get(1)
        ?: error("rustls-platform-verifier-android not found by `cargo metadata`: is bindings/ built with the platform verifier?")
    return File(File(manifest).parentFile, "maven")
}
