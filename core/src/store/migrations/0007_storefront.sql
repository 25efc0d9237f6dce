-- v6: the mobile storefront's own settings, beside the synced shop and products.
-- featured and mobile_description belong to a listing's phone presentation; theme_color to the
-- shop's. They are edited on the phone and kept here (see docs/storefront-rules.md).
CREATE TABLE storefront_listings (
    product_id         TEXT PRIMARY KEY,
    featured           INTEGER NOT NULL DEFAULT 0 CHECK (featured IN (0, 1)),
    mobile_description TEXT NOT NULL DEFAULT '',
    updated_ms         INTEGER NOT NULL
) STRICT;
CREATE INDEX storefront_featured ON storefront_listings (featured, product_id);

CREATE TABLE storefront_style (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    theme_color TEXT NOT NULL CHECK (length(theme_color) = 7 AND theme_color LIKE '#%'),
    updated_ms  INTEGER NOT NULL
) STRICT;
