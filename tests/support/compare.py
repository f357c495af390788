def assert_subset(expected, actual, path="") -> None:
    """Every key the expected document has equals the actual one's (extra keys are allowed)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} missing"
            assert_subset(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(expected) == len(actual), f"{path}: lengths differ"
        for n, (e, a) in enumerate(zip(expected, actual, strict=True)):
            assert_subset(e, a, f"{path}[{n}]")
    else:
        assert expected == actual, f"{path}: expected {expected!r}, got {actual!r}"
