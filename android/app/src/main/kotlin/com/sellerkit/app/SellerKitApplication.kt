package com.sellerkit.app

import android.app.Application
import android.content.pm.ApplicationInfo
import android.os.Build
import com.sellerkit.app.platform.KeystoreSecretStore
import com.sellerkit.app.platform.LogcatSink
import com.sellerkit.app.platform.SyncWorker
import com.sellerkit.app.presenter.Startup
import com.sellerkit.app.presenter.StartupPresenter
import com.sellerkit.core.LogLevel
import com.sellerkit.core.SellerApp
import com.sellerkit.core.SellerAppConfig
import com.sellerkit.core.SellerKitAndroid
import java.io.File
import java.util.Locale
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch

/**
 * Holds the process's one [SellerApp]: one database, one writer, one runtime. The database
 * opens on Dispatchers.IO (migrations and the integrity check block for seconds on the
 * bundled phone); [startup] says when it is ready, and the screens show a splash until then.
 */
class SellerKitApplication : Application() {
    /** Opens the core off the main thread; screens and the sync worker wait for it. */
    lateinit var startup: StartupPresenter
        private set

    /** The process's scope for the start (lives as long as the process). */
    private val processScope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

    override fun onCreate() {
        super.onCreate()
        // Loads libsellerkit_ffi and hands the context to the TLS verifier; before any network.
        SellerKitAndroid.init(this)
        startup = StartupPresenter(processScope, Dispatchers.IO) { openCore() }
        processScope.launch {
            val ready = startup.state.first { it !is Startup.Opening }
            if (ready is Startup.Ready && ready.activated) SyncWorker.schedule(this@SellerKitApplication)
        }
    }

    private fun openCore(): SellerApp = SellerApp.open(
        SellerAppConfig(
            databasePath = File(filesDir, "sellerkit.db").path,
            mediaDir = File(filesDir, "media").path,
            // The core's default (the shop's zone, Asia/Shanghai) unless the shop says otherwise.
            timeZone = null,
            fontPath = SYSTEM_CJK_FONTS.map(::File).firstOrNull { it.isFile }?.path,
            deviceName = "${Build.MANUFACTURER} ${Build.MODEL}",
            platform = "android",
            extraRootCaPem = null,
            // Every reason the core words in the phone's language (English for en-*, else Chinese).
            locale = Locale.getDefault().toLanguageTag(),
            // Debuggable builds log the core's debug records to logcat; releases, info.
            logLevel = if ((applicationInfo.flags and ApplicationInfo.FLAG_DEBUGGABLE) != 0) LogLevel.DEBUG else null,
        ),
        KeystoreSecretStore(this),
        LogcatSink(),
    )

    private companion object {
        // Where Android keeps its Noto CJK font (storefront previews draw Chinese text).
        val SYSTEM_CJK_FONTS = listOf(
            "/system/fonts/NotoSansCJK-Regular.ttc",
            "/system/fonts/NotoSansSC-Regular.otf",
            "/system/fonts/DroidSansFallback.ttf",
        )
    }
}
