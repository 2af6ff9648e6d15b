"""Models that keep their last description while nothing it shows changes, so that an
unchanged item of a DescribeJobs or DescribeRecoveryInstances page costs a look-up."""

from typing import Any, ClassVar


class ForgetsDescriptionOnChange:
    """Setting any attribute, but those named in ``undescribed``, forgets the kept description.

    ``_kept`` is a one-item list holding the description (or None), shared by the model that is
    described and the parts it describes (a job's participants, a recovery instance's failback),
    so that a change of any of them empties it.
    """

    undescribed: ClassVar[frozenset[str]] = frozenset()
    _kept: list[Any] | None = None

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if name not in self.undescribed:
            # what the description shows changed: the kept one is out of date
            kept = self.__dict__.get("_kept")
            if kept is not None:
                kept[0] = None
