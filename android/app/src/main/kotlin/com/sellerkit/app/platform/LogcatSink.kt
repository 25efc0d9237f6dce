package com.sellerkit.app.platform

import android.util.Log
import com.sellerkit.core.LogLevel
import com.sellerkit.core.LogRecord
import com.sellerkit.core.LogSink

/** The core's log records, to logcat under the tag `SellerKit` (`adb logcat -s SellerKit`). */
class LogcatSink : LogSink {
    override fun log(record: LogRecord) {
        val line = "${record.target}: ${record.message}"
        when (record.level) {
            LogLevel.ERROR -> Log.e(TAG, line)
            LogLevel.WARN -> Log.w(TAG, line)
            LogLevel.INFO -> Log.i(TAG, line)
            LogLevel.DEBUG -> Log.d(TAG, line)
            LogLevel.TRACE -> Log.v(TAG, line)
        }
    }

    private companion object {
        // Tags are limited to 23 characters before API 26.
        const val TAG = "SellerKit"
    }
}
