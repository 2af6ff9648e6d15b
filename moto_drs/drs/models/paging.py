"""One paging mechanism for every DRS list operation, built on moto's ``Paginator``.

The ``@paginate`` decorator is not used because DRS answers a bad ``nextToken`` with a
ValidationException (moto's default is its own InvalidToken error), and because callers refresh
only the items of the returned page. Tokens also carry the next item's position, so a page
starts after one check instead of a scan of every item before it: paging through a fleet stays
linear in its size.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from moto.core.exceptions import InvalidToken
from moto.utilities.paginator import Paginator

from ..exceptions import ValidationException

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 1000


class _PositionedPaginator(Paginator):
    """moto's Paginator whose tokens also say where the item they name was in the results."""

    _start = 0
    # optional: the results' sort key and direction, so that a page whose token item was
    # deleted meanwhile goes on after it even when items before it were deleted too
    sort_key: Callable[[Any], str] | None = None
    descending = False

    def _parse_starting_token(self) -> dict[str, Any] | None:
        try:
            token = super()._parse_starting_token()
        except (
            AttributeError
        ):  # base64 of JSON that is not an object ("null", "1", "\"x\"")
            raise InvalidToken("Invalid token") from None
        if token is not None and not isinstance(token.get("uniqueAttributes"), str):
            raise InvalidToken("Invalid token")
        return token

    def paginate(self, results: list[Any]) -> tuple[list[Any], str | None]:
        if self._parsed_token is not None:
            self._start = self._position_of_token_item(results)
            results = results[self._start :]
            self._starting_token = (
                None  # the page starts here: moto's own scan for the item is not needed
            )
        return super().paginate(results)

    def _position_of_token_item(self, results: list[Any]) -> int:
        hint = self._parsed_token.get("position") if self._parsed_token else None
        if (
            isinstance(hint, int)
            and 0 <= hint < len(results)
            and self._check_predicate(results[hint])
        ):
            return hint
        # the results changed since the token was made (or it predates positions): look for the item
        found = next(
            (i for i, item in enumerate(results) if self._check_predicate(item)), None
        )
        if found is not None:
            return found
        after = self._parsed_token.get("sortKey") if self._parsed_token else None
        if self.sort_key is not None and isinstance(after, str):
            key, descending = self.sort_key, self.descending
            return next(
                (
                    i
                    for i, item in enumerate(results)
                    if (key(item) < after if descending else key(item) > after)
                ),
                len(results),
            )
        if isinstance(hint, int) and hint >= 0:
            # the item the token names was deleted meanwhile (DR scripts delete while they page):
            # carry on from where it stood rather than fail the listing
            return min(hint, len(results))
        raise InvalidToken("Invalid token")

    def _build_next_token(self, next_item: Any) -> str:
        token = self._token_decoder.decode(super()._build_next_token(next_item))
        token["position"] = self._start + self._max_results
        if self.sort_key is not None:
            token["sortKey"] = self.sort_key(next_item)
        return str(self._token_encoder.encode(token))


def paginate_list(
    results: list[T],
    unique_attribute: str,
    max_results: int | None,
    next_token: str | None,
    **params_to_check: Any,
) -> tuple[list[T], str | None]:
    """Return one page of ``results`` and the token of the next; a token only fits the same query."""
    return _paginate(
        results, unique_attribute, max_results, next_token, params_to_check
    )


def paginate_sorted_list(
    results: list[T],
    unique_attribute: str,
    max_results: int | None,
    next_token: str | None,
    sort_key: Callable[[T], str],
    descending: bool,
    **params_to_check: Any,
) -> tuple[list[T], str | None]:
    """paginate_list for results sorted by ``sort_key`` (``descending`` or not): a page goes on
    after its token item even when that item and others before it were deleted between the
    pages (snapshots pruned by retention)."""
    return _paginate(
        results,
        unique_attribute,
        max_results,
        next_token,
        params_to_check,
        sort_key,
        descending,
    )


def _paginate(
    results: list[T],
    unique_attribute: str,
    max_results: int | None,
    next_token: str | None,
    params_to_check: dict[str, Any],
    sort_key: Callable[[T], str] | None = None,
    descending: bool = False,
) -> tuple[list[T], str | None]:
    if not next_token and len(results) <= (max_results or DEFAULT_PAGE_SIZE):
        # the whole answer on a first page (a look-up by ID): what the paginator returns,
        # without its token machinery (hashing the query's parameters, building a paginator)
        return results[:], None
    paginator = None
    try:
        paginator = _PositionedPaginator(
            max_results=max_results,
            max_results_default=DEFAULT_PAGE_SIZE,
            starting_token=next_token or None,  # an empty token is no token, as in AWS
            unique_attribute=unique_attribute,
            param_values_to_check=params_to_check,
        )
        paginator.sort_key, paginator.descending = sort_key, descending
        return paginator.paginate(results)
    except InvalidToken:
        raise ValidationException(
            "The nextToken is invalid or does not belong to this request.",
            field_list=[{"name": "nextToken", "message": "Invalid pagination token"}],
        ) from None
