"""Server-side input validation of DRS requests, by moto core's model validator.

Server mode receives raw HTTP that no SDK has validated, so every request is checked, once,
against the operation's input shape (``moto.core.validation``), plus what DRS's model leaves
out (tags). Violations are collected into one ``ValidationException`` whose ``fieldList`` names
each offending member, as DRS does.
"""

from functools import cache
from typing import Any

from botocore.model import OperationModel, Shape
from moto.core import validation
from moto.core.validation import Field

from .exceptions import ValidationException


@cache
def model_shape(name: str) -> Shape:
    """A shape of the DRS model, built once: botocore's ``shape_for`` builds a new Shape (and
    then its members) on every call, which made seeding a fleet slow."""
    from moto.core.utils import get_service_model

    return get_service_model("drs").shape_for(name)


MAX_TAGS = (
    50  # "Each resource can have a maximum of 50 tags" (TagResource API reference)
)


def _check_tags(tags: dict[str, Any], path: str, errors: list[Field]) -> None:
    """What the model leaves out: at most 50 tags, no ``aws:`` keys (API reference, TagResource;
    AWS tagging rules, https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html)."""
    if len(tags) > MAX_TAGS:
        errors.append(
            {
                "name": path,
                "message": f"Member must have length less than or equal to {MAX_TAGS}",
            }
        )
    for key in tags:
        if isinstance(key, str) and key.lower().startswith("aws:"):
            errors.append(
                {
                    "name": f"{path}.{key}(key)",
                    "message": "Tag keys starting with aws: are reserved",
                }
            )


CHECKS: dict[str, validation.Check] = {"TagsMap": _check_tags}


def validate_value(shape: Shape, value: Any, path: str, errors: list[Field]) -> None:
    """Append to ``errors`` everything wrong with ``value`` as an instance of ``shape``."""
    validation.validate_value(shape, value, path, errors, CHECKS)


def _raise(errors: list[Field]) -> None:
    for error in errors:  # a hostile member name is not echoed back in full
        if len(error["name"]) > 256:
            error["name"] = error["name"][:253] + "..."
    names = ", ".join(error["name"] for error in errors[:10])
    raise ValidationException(
        f"{len(errors)} validation error(s) detected: invalid value for {names}",
        reason="fieldValidationFailed",
        field_list=errors[:100],
    )


def parse_input(
    operation: OperationModel,
    body: bytes | str | None,
    uri_params: dict[str, str],
    querystring: dict[str, list[str]],
) -> dict[str, Any]:
    """Gather an operation's input from body, URI labels and query string, then validate it."""
    try:
        params = validation.rest_json_input(operation, body, uri_params, querystring)
    except validation.MalformedJson as error:
        raise ValidationException(str(error), reason="cannotParse") from None
    errors = validation.validate_input(operation, params, CHECKS)
    if errors:
        _raise(errors)
    return params


def reject_repeated(ids: list[str], field: str, noun: str) -> None:
    """ValidationException naming the first ID a list member repeats (``field[index]``)."""
    seen: set[str] = set()
    for index, identifier in enumerate(ids):
        if identifier in seen:
            raise ValidationException(
                f"{noun} {identifier} appears more than once in {field}.",
                field_list=[
                    {"name": f"{field}[{index}]", "message": f"Duplicate {identifier}"}
                ],
            )
        seen.add(identifier)
