package com.sellerkit.app.platform

import androidx.camera.core.ImageAnalysis
import androidx.camera.core.ImageProxy
import com.google.zxing.BarcodeFormat
import com.google.zxing.BinaryBitmap
import com.google.zxing.DecodeHintType
import com.google.zxing.ReaderException
import com.google.zxing.common.HybridBinarizer
import com.google.zxing.PlanarYUVLuminanceSource
import com.google.zxing.qrcode.QRCodeReader

/**
 * Finds a QR code in CameraX analysis frames with ZXing and reports its text.
 *
 * Why ZXing and not ML Kit: the programme's phones are sold in mainland China, mostly
 * without Google Play services; ZXing's core is plain Java (no native code, no model
 * download), so it works on every phone. Coupon QR codes are alphanumeric and large
 * (version 10 to 15), well within what it reads from a 640x480 frame.
 *
 * Only the luminance (Y) plane is used: QR codes are black and white. Runs on the
 * analysis executor; [onCode] is called there, once per frame that holds a code.
 */
class QrAnalyzer(private val onCode: (String) -> Unit) : ImageAnalysis.Analyzer {
    private val reader = QRCodeReader()
    private val hints = mapOf(
        DecodeHintType.POSSIBLE_FORMATS to listOf(BarcodeFormat.QR_CODE),
        // Counter lighting and printed coupons: worth the extra time on a frame.
        DecodeHintType.TRY_HARDER to true,
    )
    private var buffer = ByteArray(0)

    override fun analyze(image: ImageProxy) {
        image.use {
            val plane = it.planes[0]
            val data = plane.buffer
            val size = data.remaining()
            // One buffer reused across frames: a cheap phone should not allocate 300 KB per frame.
            if (buffer.size < size) buffer = ByteArray(size)
            data.get(buffer, 0, size)
            // Rows may be padded: the row stride is the data's width, the image's width the crop.
            val source = PlanarYUVLuminanceSource(
                buffer, plane.rowStride, it.height, 0, 0, it.width, it.height, false,
            )
            try {
                onCode(reader.decode(BinaryBitmap(HybridBinarizer(source)), hints).text)
            } catch (_: ReaderException) {
                // No readable code in this frame (NotFound, Checksum, Format): the next one.
            } finally {
                reader.reset()
            }
        }
    }
}
