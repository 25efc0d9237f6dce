// The SellerKit package: the generated API plus the platform services below.
@_exported import SellerKitCore
