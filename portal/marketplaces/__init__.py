"""Sales channels and marketplaces: signing, inbound events, outbound deliveries, seller-portal links."""
