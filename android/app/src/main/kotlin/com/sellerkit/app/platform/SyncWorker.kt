package com.sellerkit.app.platform

import android.content.Context
import androidx.work.BackoffPolicy
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.NetworkType
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import com.sellerkit.app.SellerKitApplication
import com.sellerkit.core.CancelHandle
import com.sellerkit.core.SellerKitException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.withContext
import java.util.concurrent.TimeUnit
import kotlin.coroutines.coroutineContext

/**
 * Periodic background sync. WorkManager runs it about every [INTERVAL_MINUTES] minutes when
 * the phone has a network, and stops it (cancelling the sync cleanly) when the constraints go.
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        // The database opens off the main thread at start; wait for it. isActivated reads
        // the database and the Keystore: on the IO dispatcher.
        val app = try {
            (applicationContext as SellerKitApplication).startup.awaitApp()
        } catch (e: SellerKitException) {
            return Result.failure()
        }
        if (!withContext(Dispatchers.IO) { app.isActivated() }) return Result.success()
        val cancel = CancelHandle()
        // WorkManager stops work by cancelling this coroutine; tell the core to stop at its
        // next safe point too (what it committed stays).
        coroutineContext[Job]?.invokeOnCompletion { cancel.cancel() }
        return try {
            app.sync(null, cancel)
            Result.success()
        } catch (e: SellerKitException.Network) {
            Result.retry()
        } catch (e: SellerKitException.Cancelled) {
            Result.retry()
        } catch (e: SellerKitException) {
            // Rejections and local failures will not heal by retrying now; the core recorded
            // the error for the sync screen, and the next period tries again.
            Result.failure()
        }
    }

    companion object {
        private const val WORK_NAME = "sellerkit-periodic-sync"

        /** WorkManager's minimum period. */
        const val INTERVAL_MINUTES = 15L

        /** Schedules the periodic sync; keeps an existing schedule. */
        fun schedule(context: Context) {
            val request = PeriodicWorkRequestBuilder<SyncWorker>(INTERVAL_MINUTES, TimeUnit.MINUTES)
                .setConstraints(Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build())
                .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, 30, TimeUnit.SECONDS)
                .build()
            WorkManager.getInstance(context)
                .enqueueUniquePeriodicWork(WORK_NAME, ExistingPeriodicWorkPolicy.KEEP, request)
        }
    }
}
