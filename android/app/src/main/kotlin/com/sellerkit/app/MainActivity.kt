package com.sellerkit.app

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.viewModels
import com.sellerkit.app.ui.SellerKitRoot

/** The single activity; the Compose tree in [SellerKitRoot] draws every screen. */
class MainActivity : ComponentActivity() {
    private val model: ShellViewModel by viewModels()

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContent { SellerKitRoot(model) }
    }
}
