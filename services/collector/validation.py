"""Where the collector's validation rules were: they live in the core now (services/collector/core/validation.py)."""

from services.collector.core.validation import (
    AGREGASI,
    JENIS_UNIT,
    MAX_TEXT,
    MESSAGES,
    POLARITAS,
    TAHUN_MAX,
    TAHUN_MIN,
    Problems,
    check_fields,
    indikator_index,
    parse_decimal,
    read_number,
    read_tahun,
    validate_pk,
    validate_realisasi,
)

__all__ = [
    "AGREGASI",
    "JENIS_UNIT",
    "MAX_TEXT",
    "MESSAGES",
    "POLARITAS",
    "TAHUN_MAX",
    "TAHUN_MIN",
    "Problems",
    "check_fields",
    "indikator_index",
    "parse_decimal",
    "read_number",
    "read_tahun",
    "validate_pk",
    "validate_realisasi",
]
