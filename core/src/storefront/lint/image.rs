//! Whether an image is fit for a phone, from its metadata (no decoding needed).

use crate::domain::{ImageRole, ProductImage};

/// Largest encoded picture the marketplace accepts for mobile pages (1 MiB): more is slow on 3G.
pub const MAX_IMAGE_BYTES: i64 = 1024 * 1024;
/// Smallest side of a product's main image, in pixels (it must also be square).
pub const MIN_MAIN_IMAGE_SIDE: i64 = 800;
/// Smallest side of the shop's logo, in pixels (it must also be square).
pub const MIN_LOGO_SIDE: i64 = 200;
/// Smallest width of the shop's banner, in pixels (the width of the bundled phone's screen).
pub const MIN_BANNER_WIDTH: i64 = 720;

/// Whether `image` is fit for a phone in its role:
/// - a product picture: at least 800x800, square, at most [`MAX_IMAGE_BYTES`];
/// - the logo: square, at least 200x200, at most [`MAX_IMAGE_BYTES`];
/// - the banner: at least 720 px wide, between 2:1 and 4:1 wide, at most [`MAX_IMAGE_BYTES`].
///
/// Unknown dimensions or size count as not ready: the seller cannot be told it is fine.
pub fn image_is_mobile_ready(image: &ProductImage) -> bool {
    let (Some(w), Some(h), Some(bytes)) = (image.width, image.height, image.byte_len) else {
        return false;
    };
    if w <= 0 || h <= 0 || bytes <= 0 || bytes > MAX_IMAGE_BYTES {
        return false;
    }
    match image.role {
        ImageRole::Product => w == h && w >= MIN_MAIN_IMAGE_SIDE,
        ImageRole::Logo => w == h && w >= MIN_LOGO_SIDE,
        ImageRole::Banner => w >= MIN_BANNER_WIDTH && w >= 2 * h && w <= 4 * h,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn img(role: ImageRole, w: i64, h: i64, bytes: i64) -> ProductImage {
        ProductImage {
            id: "i".into(),
            product_id: (role == ImageRole::Product).then(|| "p".into()),
            role,
            position: 0,
            width: Some(w),
            height: Some(h),
            byte_len: Some(bytes),
            mime: Some("image/png".into()),
            sha256: None,
            local_path: None,
            updated_ms: 0,
        }
    }

    #[test]
    fn main_images_must_be_big_square_and_light() {
        assert!(image_is_mobile_ready(&img(
            ImageRole::Product,
            800,
            800,
            200_000
        )));
        assert!(!image_is_mobile_ready(&img(
            ImageRole::Product,
            799,
            799,
            200_000
        )));
        assert!(!image_is_mobile_ready(&img(
            ImageRole::Product,
            800,
            600,
            200_000
        )));
        assert!(!image_is_mobile_ready(&img(
            ImageRole::Product,
            1024,
            1024,
            MAX_IMAGE_BYTES + 1
        )));
        let mut unknown = img(ImageRole::Product, 800, 800, 1);
        unknown.width = None;
        assert!(!image_is_mobile_ready(&unknown));
    }

    #[test]
    fn logos_and_banners_have_their_own_shapes() {
        assert!(image_is_mobile_ready(&img(
            ImageRole::Logo,
            512,
            512,
            50_000
        )));
        assert!(!image_is_mobile_ready(&img(
            ImageRole::Logo,
            100,
            100,
            5_000
        )));
        assert!(image_is_mobile_ready(&img(
            ImageRole::Banner,
            1200,
            400,
            90_000
        )));
        assert!(!image_is_mobile_ready(&img(
            ImageRole::Banner,
            800,
            800,
            90_000
        )));
        assert!(!image_is_mobile_ready(&img(
            ImageRole::Banner,
            600,
            200,
            90_000
        )));
    }
}
