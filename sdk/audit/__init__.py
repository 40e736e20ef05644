"""The usage audit of a document store (``kyso audit``): who signed what, per agency, month and kind, validity,
algorithms, expiring certificates, public versus dedicated signatures, and the directive's yearly figures."""
