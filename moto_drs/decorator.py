"""``mock_drs``: moto's ``mock_aws`` with DRS registered, that also decorates async functions.

It shares moto's own nesting counter (start/stop go through a ``MockAWS``), so it nests with
``mock_aws`` both ways and isolates state between tests exactly as ``mock_aws`` does. All other
moto services (EC2, IAM, ...) are mocked too: real DRS works with them. In moto's server mode
(``TEST_SERVER_MODE=true``) it is moto's server-mode mock: boto3 clients go to the test server.
"""

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar, overload

from moto import mock_aws
from moto.core.config import DefaultConfig
from moto.core.models import MockAWS

from .registration import register

T = TypeVar("T")


class DrsMock(MockAWS):
    def __init__(self, config: DefaultConfig | None = None) -> None:
        register()
        super().__init__(config)
        # moto's own choice: in server mode (TEST_SERVER_MODE=true) clients go to the test server
        self._inner: MockAWS = mock_aws(config=config)

    def start(self, reset: bool = True) -> None:
        self._inner.start(reset=reset)

    def stop(self, remove_data: bool = True) -> None:
        self._inner.stop(remove_data=remove_data)

    def _decorate_callable(
        self, func: Callable[..., T], reset: bool, remove_data: bool
    ) -> Callable[..., T]:
        if not inspect.iscoroutinefunction(func):
            return super()._decorate_callable(func, reset, remove_data)

        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            self.start(reset=reset)
            try:
                return await func(*args, **kwargs)
            finally:
                self.stop(remove_data=remove_data)

        return functools.wraps(func)(async_wrapper)  # type: ignore[return-value]


@overload
def mock_drs(
    func: Callable[..., T], config: DefaultConfig | None = None
) -> Callable[..., T]: ...
@overload
def mock_drs(func: None = None, config: DefaultConfig | None = None) -> DrsMock: ...


def mock_drs(
    func: Callable[..., T] | None = None, config: DefaultConfig | None = None
) -> Any:
    """Use as ``@mock_drs``, ``@mock_drs()``, ``with mock_drs():`` or ``m = mock_drs(); m.start()``."""
    if func is None:
        return DrsMock(config)
    return DrsMock(config)(func)
