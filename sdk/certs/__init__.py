"""Certificate handling: loading trust anchors and validating certificates (the built-in
``kyso_validate_certificate``)."""
