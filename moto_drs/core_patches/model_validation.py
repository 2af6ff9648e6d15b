"""moto core change: a model validator any service can use, ``moto.core.validation``.

Today moto has none: ``automated_parameter_parsing`` reads a request by the botocore model but
checks nothing (types, required and unknown members, enums, patterns, lengths, ranges, unions),
while AWS validates every request server-side.

The change (``0007-model-validation.diff``) adds the module ``moto/core/validation.py``; its
text is ``validation.py`` beside this file, which the plugin makes importable as
``moto.core.validation`` (unless the installed moto has its own) before DRS is imported, so
that the service imports it from where it lives upstream.
"""

import importlib
import importlib.util
import sys

NAME = "moto.core.validation"


def apply() -> None:
    if NAME in sys.modules:
        return
    import moto.core

    if importlib.util.find_spec(NAME) is not None:  # a moto that has it
        return
    module = importlib.import_module(f"{__package__}.validation")
    sys.modules[NAME] = module
    moto.core.validation = module  # type: ignore[attr-defined]
