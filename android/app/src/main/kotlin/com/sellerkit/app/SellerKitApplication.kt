package com.sellerkit.app

import android.app.Application
import android.content.pm.ApplicationInfo
import android.os.Build
import com.sellerkit.app.platform.KeystoreSecretStore
import com.sellerkit.app.platform.LogcatSink
import com.sellerkit.app.platform.SyncWorker
import com.sellerkit.core.LogLevel
import com.sellerkit.core.SellerApp
import com.sellerkit.core.SellerAppConfig
import com.sellerkit.core.SellerKitAndroid
import java.io.File
import java.util.Locale

/** Holds the process's one [SellerApp]: one database, one writer, one runtime. */
class SellerKitApplication : Application() {
    /** The core, opened once in [onCreate]; screens and the sync worker share it. */
    lateinit var sellerApp: SellerApp
        private set

    override fun onCreate() {
        super.onCreate()
        // Loads libsellerkit_ffi and hands the context to the TLS verifier; before any network.
        SellerKitAndroid.init(this)
        sellerApp = SellerApp.open(
            SellerAppConfig(
                databasePath = File(filesDir, "sellerkit.db").path,
                mediaDir = File(filesDir, "media").path,
                // The core's default (the shop's zone, Asia/Shanghai) unless the shop says otherwise.
                timeZone = null,
                fontPath = SYSTEM_CJK_FONTS.map(::File).firstOrNull { it.isFile }?.path,
                deviceName = "${Build.MANUFACTURER} ${Build.MODEL}",
                platform = "android",
                extraRootCaPem = null,
                // Debuggable builds log the core's debug records to logcat; releases, info.
                // Coupon refusals in the phone's language (English for en-*, else Chinese).
                locale = Locale.getDefault().toLanguageTag(),
                logLevel = if ((applicationInfo.flags and ApplicationInfo.FLAG_DEBUGGABLE) != 0) LogLevel.DEBUG else null,
            ),
            KeystoreSecretStore(this),
            LogcatSink(),
        )
        if (sellerApp.isActivated()) SyncWorker.schedule(this)
    }

    private companion object {
        // Where Android keeps its Noto CJK font (storefront previews draw Chinese text).
        val SYSTEM_CJK_FONTS = listOf(
            "/system/fonts/NotoSansCJK-Regular.ttc",
            "/system/fonts/NotoSansSC-Regular.otf",
            "/system/fonts/DroidSansFallback.ttf",
        )
    }
}
