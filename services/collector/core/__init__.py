"""The collector's domain core: the reporting calendar, report validation and the period status.

Pure rules: no SQL, no HTTP, no Redis (tests/unit/collector proves them without a database). A rule that refuses
raises a domain error (core/errors.py); api.py alone turns those into HTTP answers."""
