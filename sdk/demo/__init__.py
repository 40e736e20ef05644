"""``kyso demo``: a demo PKI, a sample official letter, and the signing and verification run on them."""
