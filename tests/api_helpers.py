"""Helpers shared by the API tests (tests/*/test_api*.py)."""

from io import StringIO

from django.core.management import call_command

NULL = type(None)


def load_starter():
    """The real starter content, as a fresh installation has it."""
    call_command("load_starter_content", stdout=StringIO())


def assert_shape(value, spec, where="item"):
    """Assert that JSON `value` has exactly the keys of `spec` and the JSON types it names.

    `spec` maps field -> a type, a tuple of types (e.g. (str, NULL)), a nested dict (an object),
    or a one-element list holding the spec of each element (an array).
    """
    if isinstance(spec, dict):
        assert isinstance(value, dict), f"{where} is {type(value).__name__}, expected an object"
        assert sorted(value) == sorted(spec), f"{where} has keys {sorted(value)}, expected {sorted(spec)}"
        for key, sub in spec.items():
            assert_shape(value[key], sub, f"{where}.{key}")
    elif isinstance(spec, list):
        assert isinstance(value, list), f"{where} is {type(value).__name__}, expected an array"
        for index, element in enumerate(value):
            assert_shape(element, spec[0], f"{where}[{index}]")
    else:
        types = spec if isinstance(spec, tuple) else (spec,)
        # JSON has no separate bool and int, but Python's bool is an int: keep them apart.
        if isinstance(value, bool):
            assert bool in types, f"{where} is a boolean, expected {types}"
        else:
            assert isinstance(value, types), f"{where} is {type(value).__name__} ({value!r}), expected {types}"
