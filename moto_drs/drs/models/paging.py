"""One paging mechanism for every DRS list operation, built on moto's ``Paginator``.

The ``@paginate`` decorator is not used because DRS answers a bad ``nextToken`` with a
ValidationException (moto's default is its own InvalidToken error), and because callers refresh
only the items of the returned page, which keeps full pagination linear in the fleet size.
"""

from typing import Any, TypeVar

from moto.core.exceptions import InvalidToken
from moto.utilities.paginator import Paginator

from ..exceptions import ValidationException

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 1000


def paginate_list(
    results: list[T],
    unique_attribute: str,
    max_results: int | None,
    next_token: str | None,
    **params_to_check: Any,
) -> tuple[list[T], str | None]:
    """Return one page of ``results`` and the token of the next; a token only fits the same query."""
    paginator = None
    try:
        paginator = Paginator(
            max_results=max_results,
            max_results_default=DEFAULT_PAGE_SIZE,
            starting_token=next_token,
            unique_attribute=unique_attribute,
            param_values_to_check=params_to_check,
        )
        return paginator.paginate(results)
    except InvalidToken:
        raise ValidationException(
            "The nextToken is invalid or does not belong to this request.",
            field_list=[{"name": "nextToken", "message": "Invalid pagination token"}],
        )
