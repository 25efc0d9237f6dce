-- v9 (issue 12): the storefront's settings sync. A listing's featured flag, mobile description
-- and gallery order become fields of the product, the theme colour a field of the shop profile,
-- as the protocol's `product` and `shop_profile` carry them. The phone-only tables of v7 are
-- folded in and dropped (one place per fact), and what the seller set there is queued for the
-- next push, so an upgrade loses no setting.
ALTER TABLE products ADD COLUMN featured INTEGER NOT NULL DEFAULT 0 CHECK (featured IN (0, 1));
ALTER TABLE products ADD COLUMN mobile_description TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN gallery TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(gallery));
ALTER TABLE shop_profile ADD COLUMN theme_color TEXT
    CHECK (theme_color IS NULL OR (length(theme_color) = 7 AND theme_color LIKE '#%'));

UPDATE products SET featured = l.featured, mobile_description = l.mobile_description
    FROM storefront_listings l WHERE l.product_id = products.id;
UPDATE shop_profile SET theme_color = (SELECT theme_color FROM storefront_style WHERE id = 1);

INSERT INTO outbox (kind, entity_id, base_version, payload, created_ms)
    SELECT 'product_edit', p.id, p.version,
           json_object('featured', json(CASE l.featured WHEN 1 THEN 'true' ELSE 'false' END),
                       'mobile_description', l.mobile_description),
           l.updated_ms
    FROM storefront_listings l JOIN products p ON p.id = l.product_id
    WHERE l.featured = 1 OR l.mobile_description <> ''
    ORDER BY l.updated_ms, p.id;
INSERT INTO outbox (kind, entity_id, base_version, payload, created_ms)
    SELECT 'shop_edit', s.shop_id, s.version, json_object('theme_color', st.theme_color),
           st.updated_ms
    FROM storefront_style st JOIN shop_profile s ON s.id = 1;

DROP INDEX storefront_featured;
DROP TABLE storefront_listings;
DROP TABLE storefront_style;
CREATE INDEX products_featured ON products (id) WHERE featured = 1;

-- Photos the seller added on this phone and has not yet given a place (main picture, gallery,
-- logo, banner). The file (the mobile variant, metadata stripped) is in the media folder; it
-- becomes an `images` row and a queued upload when it is placed.
CREATE TABLE photos (
    id         TEXT PRIMARY KEY,
    file       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    byte_len   INTEGER NOT NULL CHECK (byte_len > 0),
    width      INTEGER NOT NULL CHECK (width > 0),
    height     INTEGER NOT NULL CHECK (height > 0),
    mime       TEXT NOT NULL,
    created_ms INTEGER NOT NULL
) STRICT;
