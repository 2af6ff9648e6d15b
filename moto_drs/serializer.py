"""Plugin glue: moto's rest-json response serializer with its per-member decisions cached, for DRS.

Why: moto's ``RestJSONSerializer`` asks its attribute picker, for every member of every output
structure on every response, which attribute names to try (six alias providers, a context object
and ``xform_name`` per member). A source server has about 100 members, so this made serializing
40% of the cost of a DescribeSourceServers call and nearly all of the cost of a 1,000-item page.

``DrsSerializer`` writes the same bytes. It asks the same picker the same question once per
(member, object type), and compiles one converter per shape; what it does not specialise
(errors, header and status members, payloads, event streams, response transformers, timestamps,
blobs, documents) is left to moto's own methods. It is registered for DRS through moto's
``SERVICE_SPECIFIC_SERIALIZERS``; upstream, the same cache would belong in moto's serializer.
"""

import json
import marshal
from collections import OrderedDict
from collections.abc import Callable
from enum import Enum
from itertools import repeat as _repeat
from json.encoder import encode_basestring_ascii
from typing import TYPE_CHECKING, Any, cast

from moto.core.model import ListShape, MapShape, Shape, StructureShape
from moto.core.serialize import (
    DEFAULT_ALIAS_PROVIDERS,
    AttributePickerContext,
    BaseJSONSerializer,
    ResponseSerializer,
    RestJSONSerializer,
    XFormedAttributePicker,
)
from moto.core.utils import MISSING, get_value

if TYPE_CHECKING:
    from moto_drs.drs.utils import FrozenItem

# convert(serializer, value) -> the JSON value moto would write, or _SKIP where it writes nothing
Converter = Callable[["DrsSerializer", Any], Any]
_SKIP = object()
_NOT_FOUND = object()
_PICKER = XFormedAttributePicker()
# moto's methods that the converters below reproduce; any other method is called, not reproduced
_REPRODUCED = {
    "structure": BaseJSONSerializer._serialize_type_structure,
    "list": BaseJSONSerializer._serialize_type_list,
    "map": BaseJSONSerializer._serialize_type_map,
    "string": BaseJSONSerializer._serialize_type_string,
    "integer": ResponseSerializer._serialize_type_integer,
    "long": ResponseSerializer._serialize_type_integer,
    "float": ResponseSerializer._serialize_type_float,
    "double": ResponseSerializer._serialize_type_float,
    "boolean": None,  # no method: moto writes the value as it is
}
# id(shape) -> (shape, converter); the shape is kept so that its id is never reused
_CONVERTERS: dict[int, tuple[Shape, Converter]] = {}


def converter_for(shape: Shape) -> Converter:
    cached = _CONVERTERS.get(id(shape))
    if cached is None:
        cached = _CONVERTERS[id(shape)] = (shape, _compile(shape))
    return cached[1]


def _reproducible(shape: Shape) -> bool:
    kind = shape.type_name
    method = getattr(RestJSONSerializer, f"_serialize_type_{kind}", None)
    return (
        kind in _REPRODUCED
        and method is _REPRODUCED[kind]
        and "name" not in shape.serialization
    )


def _compile(shape: Shape) -> Converter:
    if not _reproducible(shape) or not _nested_as_moto_writes_it(shape):
        return _delegate(shape)
    kind = shape.type_name
    if kind == "structure":
        return _structure_converter(cast(StructureShape, shape))
    if kind == "list":
        return _list_converter(cast(ListShape, shape))
    if kind == "map":
        return _map_converter(cast(MapShape, shape))
    if kind == "string":
        return _string
    if kind in ("integer", "long"):
        return lambda serializer, value: int(value)
    if kind in ("float", "double"):
        return lambda serializer, value: float(value)
    return lambda serializer, value: value


def _string(serializer: "DrsSerializer", value: Any) -> Any:
    if type(value) is str:
        return value
    if isinstance(value, Enum):
        value = value.value
    return str(value) if value not in [None, {}, []] else value


def _delegate(shape: Shape) -> Converter:
    """moto's own method for this shape, run into a scratch dict."""
    stored = shape.serialization.get("name", "value")

    def convert(serializer: "DrsSerializer", value: Any) -> Any:
        scratch: dict[str, Any] = {}
        serializer._serialize(scratch, value, shape, "value")
        return scratch.get(stored, _SKIP)

    return convert


def _nested_as_moto_writes_it(shape: Shape) -> bool:
    """Shapes whose children moto writes in a way the converters do not reproduce go to moto."""
    if isinstance(shape, StructureShape):
        return not shape.is_document_type and _body_only(shape)
    if isinstance(shape, MapShape):
        return (
            "name" not in shape.value.serialization
        )  # moto would write every entry under that name
    return True


def _body_only(shape: StructureShape) -> bool:
    """Members bound to headers, or named like the rest serializer's "body" slot, go to moto."""
    return all(
        not member.is_not_bound_to_body
        and member.serialization.get("name", name) != "body"
        for name, member in shape.members.items()
    )


class _Member:
    """One member of a structure: where its value is found and how it is written."""

    __slots__ = (
        "name",
        "stored",
        "shape",
        "convert",
        "is_string",
        "dict_keys",
        "keys_by_type",
    )

    def __init__(self, name: str, shape: Shape, parent: StructureShape) -> None:
        cast(
            Any, shape
        ).parent = parent  # as moto's serializer sets it; aliases read it
        self.name = name
        self.stored = shape.serialization.get("name", name)
        self.shape = shape
        self.convert = converter_for(shape)
        self.is_string = self.convert is _string
        # type -> (attribute names to try, whether plain getattr finds them)
        self.keys_by_type: dict[type, tuple[tuple[str, ...], bool]] = {}
        keys = self._candidate_keys({})
        self.dict_keys = (
            None if any("." in key for key in keys) else keys
        )  # a dotted key is a path

    def _candidate_keys(self, obj: Any) -> tuple[str, ...]:
        context = AttributePickerContext(obj=obj, key=self.name, shape=self.shape)
        return tuple(dict.fromkeys(_PICKER.get_possible_keys(context)))

    def lookup_for(self, obj: Any) -> tuple[tuple[str, ...] | None, bool]:
        """The keys to try for values of ``obj``'s type, and whether plain look-ups find them."""
        if type(obj) is dict:
            return self.dict_keys, self.dict_keys is not None
        return self._keys_for_type(type(obj), obj)

    def _keys_for_type(self, kind: type, obj: Any) -> tuple[tuple[str, ...], bool]:
        found = self.keys_by_type.get(kind)
        if found is None:
            keys = self._candidate_keys(obj)
            plain = not hasattr(kind, "__getitem__") and not any(
                "." in key for key in keys
            )
            found = self.keys_by_type[kind] = (keys, plain)
        return found

    def pick(self, obj: Any) -> Any:
        """The member's value in ``obj``, exactly as moto's ``XFormedAttributePicker`` finds it."""
        kind = type(obj)
        if kind is dict and self.dict_keys is not None:
            for key in self.dict_keys:
                if key in obj:
                    return obj[key]
            return None
        keys, plain = self._keys_for_type(kind, obj)
        for key in keys:
            value = (
                getattr(obj, key, MISSING) if plain else get_value(obj, key, MISSING)
            )
            if value is not MISSING:
                return value
        return None


def _structure_converter(shape: StructureShape) -> Converter:
    # built on first use, so that recursive shapes compile: the members, then one generated
    # function per type of value (dict, or a class of the models)
    plan: list[tuple[_Member, ...]] = []
    by_type: dict[type, Callable[[DrsSerializer, Any], dict[str, Any]]] = {}

    def convert(serializer: "DrsSerializer", value: Any) -> Any:
        if value is None:
            return _SKIP
        kind = type(value)
        generated = by_type.get(kind)
        if generated is None:
            if not plan:
                plan.append(
                    tuple(
                        _Member(name, member, shape)
                        for name, member in shape.members.items()
                    )
                )
            generated = by_type[kind] = _generate(shape, plan[0], value)
        return generated(serializer, value)

    return convert


def _generate(
    shape: StructureShape, members: tuple[_Member, ...], sample: Any
) -> Callable[["DrsSerializer", Any], dict[str, Any]]:
    """One function that writes a structure from values of ``sample``'s type, member by member
    in the shape's order as moto does; generated, because the per-member loop of a generic
    converter was most of the cost of a 1,000-item page.

    Each member's value is found with the keys (dict) or attribute names (object) that moto's
    attribute picker would try, in its order; where plain look-ups cannot reproduce the picker
    (dotted paths, objects with ``__getitem__``), the member calls ``_Member.pick``.
    """
    kind = type(sample)
    lines = ["def generated(serializer, value):", "    result = {}"]
    namespace: dict[str, Any] = {"_SKIP": _SKIP, "_NF": _NOT_FOUND, "_str": str}
    for index, member in enumerate(members):
        namespace[f"m{index}"] = member
        namespace[f"c{index}"] = member.convert
        stored = repr(member.stored)
        keys, plain = member.lookup_for(sample)
        if kind is dict and keys is not None:
            lines.extend(_first_present(keys, "value.get({key!r}, _NF)"))
        elif kind is not dict and plain and keys is not None:
            lines.extend(_first_present(keys, "getattr(value, {key!r}, _NF)"))
        else:
            lines.append(f"    v = m{index}.pick(value)")
        lines.append("    if v is not None:")
        if member.is_string:
            lines.append("        if type(v) is _str:")
            lines.append(f"            result[{stored}] = v")
            lines.append("        else:")
            lines.append(f"            v = c{index}(serializer, v)")
            lines.append("            if v is not _SKIP:")
            lines.append(f"                result[{stored}] = v")
        else:
            lines.append(f"        v = c{index}(serializer, v)")
            lines.append("        if v is not _SKIP:")
            lines.append(f"            result[{stored}] = v")
    lines.append("    return result")
    exec(compile("\n".join(lines), f"<serializer {shape.name}>", "exec"), namespace)
    generated: Callable[[DrsSerializer, Any], dict[str, Any]] = namespace["generated"]
    return generated


def _first_present(keys: tuple[str, ...], lookup: str) -> list[str]:
    """``v`` = the value under the first key present (as the picker does), else None."""
    if not keys:
        return ["    v = None"]
    lines = [f"    v = {lookup.format(key=keys[0])}"]
    for key in keys[1:]:
        lines.append("    if v is _NF:")
        lines.append(f"        v = {lookup.format(key=key)}")
    lines.append("    if v is _NF:")
    lines.append("        v = None")
    return lines


def _list_converter(shape: ListShape) -> Converter:
    item_shape = cast(Shape, shape.member)
    # moto serializes each item under the item shape's name and keeps the raw item if that is missing
    raw_items = item_shape.serialization.get("name", item_shape.name) != item_shape.name

    def convert(serializer: "DrsSerializer", value: Any) -> Any:
        convert_item = converter_for(item_shape)
        items = []
        for item in value:
            converted = convert_item(serializer, item)
            items.append(item if raw_items or converted is _SKIP else converted)
        return items

    return convert


def _map_converter(shape: MapShape) -> Converter:
    value_shape = cast(Shape, shape.value)

    def convert(serializer: "DrsSerializer", value: Any) -> Any:
        convert_value = converter_for(value_shape)
        entries: dict[str, Any] = {}
        for key, entry in value.items():
            converted = convert_value(serializer, entry)
            if converted is not _SKIP:
                entries[key] = converted
        return entries

    return convert


# -- JSON text ------------------------------------------------------------------------------
# Text converters write the JSON text that ``json.dumps`` (moto's ``_serialize_body``, default
# separators, ASCII) would write for the value the converter above returns, without building
# that value: on a 1,000-item page the intermediate dicts and their ``json.dumps`` were half of
# the serializer's time. Whatever they do not write themselves (delegated shapes, raw list items,
# floats, maps with keys that are not str) is the converter's value passed to ``json.dumps``, so
# the text is the same by construction.

# text(serializer, value) -> JSON text, or _SKIP where moto writes nothing
TextConverter = Callable[["DrsSerializer", Any], Any]
_dumps = json.dumps
_marshal = marshal.dumps
# id(shape) -> (shape, text converter)
_TEXT_CONVERTERS: dict[int, tuple[Shape, TextConverter]] = {}
_STR_ONLY = {str}
_DICT_ONLY = {dict}


class _Encoded(str):
    """A response body that is JSON text already (``DrsSerializer._serialize_body`` passes it)."""


def text_converter_for(shape: Shape) -> TextConverter:
    cached = _TEXT_CONVERTERS.get(id(shape))
    if cached is None:
        cached = _TEXT_CONVERTERS[id(shape)] = (shape, _compile_text(shape))
    return cached[1]


def _compile_text(shape: Shape) -> TextConverter:
    """The text of what ``_compile``'s converter returns; the same cases, the same fallbacks."""
    _know_frozen_items()
    convert = converter_for(shape)
    if not _reproducible(shape) or not _nested_as_moto_writes_it(shape):
        return _dumped(convert)
    if isinstance(shape, StructureShape):
        stored = [m.serialization.get("name", n) for n, m in shape.members.items()]
        if len(set(stored)) == len(stored):  # else a dict keeps one key for two members
            if shape.name in _MEMO_SHAPES and _pure(shape, set()):
                return _memoized(_structure_text(shape))
            return _structure_text(shape)
    elif isinstance(shape, ListShape):
        item_shape = cast(Shape, shape.member)
        # moto keeps the raw items when the item shape is named otherwise (see _list_converter)
        if item_shape.serialization.get("name", item_shape.name) == item_shape.name:
            return _list_text(item_shape)
    elif isinstance(shape, MapShape):
        return _map_text(shape, convert)
    elif shape.type_name == "string":
        return _string_text
    elif shape.type_name in ("integer", "long"):
        return _int_text
    elif shape.type_name == "boolean":
        return _boolean_text
    return _dumped(convert)


def _dumped(convert: Converter) -> TextConverter:
    """The converter's value, as ``json.dumps`` writes it."""

    def text(serializer: "DrsSerializer", value: Any) -> Any:
        converted = convert(serializer, value)
        return converted if converted is _SKIP else _dumps(converted)

    return text


def _string_text(serializer: "DrsSerializer", value: Any) -> Any:
    converted = _string(serializer, value)
    if isinstance(converted, str):
        return encode_basestring_ascii(converted)
    return _dumps(converted)


def _int_text(serializer: "DrsSerializer", value: Any) -> Any:
    return int.__repr__(int(value))


def _boolean_text(serializer: "DrsSerializer", value: Any) -> Any:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return _dumps(value)


# -- a memo of whole items, by content -----------------------------------------------------------
# The items of the big listings whose content rarely changes between reads (a COMPLETED job, a
# recovery instance) are written once per content: the memo's key is ``marshal.dumps`` of the
# item (format 2, without references), which writes every dict, list, str, int, float, bool and
# None with its exact type and in order, so two items with one key have the same JSON text; the
# key costs a fifth of writing the text. Items with anything but plain data in them (enums, str
# subclasses, model objects, which marshal refuses; bytes, which it writes like bytearray) are
# not memoized. Bounded first in, first out per shape: a full page of 1,000
# re-read is all hits, and the memo never holds more than _MEMO_SIZE items' text.
_MEMO_SHAPES = {
    "Job",
    "RecoveryInstance",
    "SourceProperties",
    "DataReplicationInitiation",
    # a source server's parts that its read builds anew but rarely with other content: a
    # replicated disk (the same bytes in every state but INITIAL_SYNC, BACKLOG and RESCAN),
    # and an initiation step (written when a new initiation misses the memo above)
    "DataReplicationInfoReplicatedDisk",
    "DataReplicationInitiationStep",
}
_MEMO_SIZE = 1024


def _pure(shape: Shape, seen: set[int]) -> bool:
    """A shape whose text depends only on the value: nothing in it is left to moto's methods
    (which may read the serializer's state, e.g. timestamp formats)."""
    if id(shape) in seen:
        return True
    seen.add(id(shape))
    if not _reproducible(shape) or not _nested_as_moto_writes_it(shape):
        return False
    if isinstance(shape, StructureShape):
        return all(_pure(member, seen) for member in shape.members.values())
    if isinstance(shape, ListShape):
        return _pure(cast(Shape, shape.member), seen)
    if isinstance(shape, MapShape):
        return _pure(cast(Shape, shape.key), seen) and _pure(
            cast(Shape, shape.value), seen
        )
    return True


# id(memoized text converter) -> (it, its memo, the text converter it memoizes)
_MEMOS: dict[int, tuple[TextConverter, "OrderedDict[bytes, str]", TextConverter]] = {}


def _memoized(text: TextConverter) -> TextConverter:
    memo: OrderedDict[bytes, str] = OrderedDict()

    def memoized(serializer: "DrsSerializer", value: Any) -> Any:
        if type(value) is _FROZEN_ITEM:
            return _frozen_text(serializer, cast("FrozenItem", value), text)
        if type(value) is not dict:
            return text(serializer, value)
        try:
            key = _marshal(value, 2)
        except ValueError:  # not plain data
            return text(serializer, value)
        written = memo.get(key)
        if written is None:
            written = text(serializer, value)
            if _plain_data(value):
                memo[key] = written
                _trim(memo)
        return written

    _MEMOS[id(memoized)] = (memoized, memo, text)
    return memoized


def _plain_data(value: Any) -> bool:
    """Only dicts, lists, tuples, str, int, float, bool and None, of exactly those types.

    marshal writes every other type it accepts by content too, but not one-to-one with the JSON
    text: bytes, bytearray and memoryview (whose text names its address) all marshal alike, as
    do code objects. Checked when an item's text is stored, not when it is found: an item with
    the key of a checked one has the same types in the same places."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            stack.extend(item)
            stack.extend(item.values())
        elif kind is list or kind is tuple:
            stack.extend(item)
        elif kind not in _PLAIN_TYPES:
            return False
    return True


_PLAIN_TYPES = {str, int, float, bool, type(None)}


def _trim(memo: "OrderedDict[bytes, str]") -> None:
    while len(memo) > _MEMO_SIZE:
        try:
            memo.popitem(last=False)
        except KeyError:  # emptied by another thread meanwhile
            return


# -- items that never change: their text kept with them ----------------------------------------
# A FrozenItem (moto_drs.drs.utils) is never edited once built, and a model answers the same one
# while what it describes is unchanged: its text is written once and kept in its
# ``serialized`` slot, with the text converter that wrote it, so that a page of unchanged items
# costs a look-up per item instead of ``marshal.dumps`` of each. Kept only for plain data (as
# the memo above), which cannot change under a FrozenItem that does not.
class _NoFrozenItemYet:
    """Stands for FrozenItem until the first text converter is compiled."""


# moto_drs.drs.utils.FrozenItem, imported when the first text converter is compiled (a DRS
# answer is being written, so the service is imported): importing it with this module would
# import the whole service at ``import moto_drs``, about a second
_FROZEN_ITEM: type = _NoFrozenItemYet
_FROZEN_ONLY: set[type] = {_NoFrozenItemYet}


def _know_frozen_items() -> None:
    global _FROZEN_ITEM, _FROZEN_ONLY
    if _FROZEN_ITEM is _NoFrozenItemYet:
        from moto_drs.drs.utils import FrozenItem

        _FROZEN_ITEM, _FROZEN_ONLY = FrozenItem, {FrozenItem}


def _frozen_text(
    serializer: "DrsSerializer", item: "FrozenItem", text: TextConverter
) -> Any:
    kept = item.serialized
    if kept is not None and kept[0] is text:
        return kept[1]
    written = text(serializer, item)
    if written is not _SKIP and _plain_data([*item.keys(), *item.values()]):
        item.serialized = (text, written)
    return written


def _frozen_items(
    serializer: "DrsSerializer", items: list[Any], text: TextConverter
) -> str:
    written = []
    for item in items:
        kept = item.serialized
        if kept is not None and kept[0] is text:
            written.append(kept[1])
        else:
            written.append(_frozen_text(serializer, item, text))
    return "[" + ", ".join(written) + "]"


def _memoized_items(
    serializer: "DrsSerializer",
    items: list[Any],
    memo: "OrderedDict[bytes, str]",
    text: TextConverter,
) -> str | None:
    """A list of memoized dicts, its keys and look-ups run by ``map`` (no Python call per item
    that the memo knows); None where an item is not a dict or not plain data."""
    kinds = {*map(type, items)}
    if kinds == _FROZEN_ONLY:
        return _frozen_items(serializer, items, text)
    if not kinds <= _DICT_ONLY:
        return None
    try:
        keys = list(map(_marshal, items, _repeat(2)))
    except ValueError:
        return None
    written: list[Any] = list(map(memo.get, keys))
    if None in written:
        for index, known in enumerate(written):
            if known is None:
                item = items[index]
                known = written[index] = text(serializer, item)
                if _plain_data(item):
                    memo[keys[index]] = known
        _trim(memo)
    return "[" + ", ".join(written) + "]"


# variants of a structure's text function per set of dict keys; a structure's dicts come in few
# key sets (which optional members a model writes), and past this many the generic one serves
_KEY_SETS_PER_SHAPE = 32


def _structure_text(shape: StructureShape) -> TextConverter:
    plan: list[tuple[_Member, ...]] = []
    by_type: dict[type, Callable[[DrsSerializer, Any], str]] = {}
    # tuple of a dict's keys -> a function that reads just the members present in it
    by_keys: dict[tuple[Any, ...], Callable[[DrsSerializer, Any], str]] = {}
    # whether a FrozenItem is written as the dict it is (the same keys picked), once known
    frozen_like_dict: list[bool] = []

    def members() -> tuple[_Member, ...]:
        if not plan:
            plan.append(
                tuple(
                    _Member(name, member, shape)
                    for name, member in shape.members.items()
                )
            )
        return plan[0]

    def text(serializer: "DrsSerializer", value: Any) -> Any:
        if value is None:
            return _SKIP
        kind = type(value)
        if kind is _FROZEN_ITEM:
            if not frozen_like_dict:
                frozen_like_dict.append(_picked_like_dicts(members(), value))
            if frozen_like_dict[0]:
                value, kind = dict(value), dict  # the same keys tried: the same text
        if kind is dict:
            keys = tuple(value)
            generated = by_keys.get(keys)
            if generated is not None:
                return generated(serializer, value)
            if len(by_keys) < _KEY_SETS_PER_SHAPE:
                generated = by_keys[keys] = _generate_text(
                    shape, members(), value, keys
                )
                return generated(serializer, value)
        generated = by_type.get(kind)
        if generated is None:
            generated = by_type[kind] = _generate_text(shape, members(), value)
        return generated(serializer, value)

    return text


def _picked_like_dicts(members: tuple[_Member, ...], sample: Any) -> bool:
    """moto's attribute picker tries the same keys in ``sample`` (a dict subclass) as in a
    dict, for every member (its aliases may look at the object's class)."""
    return all(
        member.dict_keys is not None
        and member.lookup_for(sample)[0] == member.dict_keys
        for member in members
    )


def _generate_text(
    shape: StructureShape,
    members: tuple[_Member, ...],
    sample: Any,
    key_set: tuple[Any, ...] | None = None,
) -> Callable[["DrsSerializer", Any], str]:
    """``_generate``, writing each present member as ``"name": text`` into the object's text.

    With ``key_set`` (the keys of a dict, in order), the function serves only dicts with exactly
    those keys: each member reads the first of the picker's keys that is among them, and a member
    with none of them is not looked up at all (most members of a big structure are absent).
    Strings, integers and booleans of exact types are written inline.
    """
    kind = type(sample)
    lines = [
        "def generated(serializer, value):",
        "    parts = []",
        "    add = parts.append",
    ]
    namespace: dict[str, Any] = {
        "_SKIP": _SKIP,
        "_NF": _NOT_FOUND,
        "_str": str,
        "_int": int,
        "_irepr": int.__repr__,
        "_enc": encode_basestring_ascii,
    }
    present = set(key_set) if key_set is not None else set()
    by_instance_dict = kind is not dict and _attributes_in_instance_dict(kind, sample)
    if by_instance_dict:
        lines.append("    d = value.__dict__")
    for index, member in enumerate(members):
        namespace[f"m{index}"] = member
        text = namespace[f"t{index}"] = text_converter_for(member.shape)
        prefix = repr(encode_basestring_ascii(member.stored) + ": ")
        keys, plain = member.lookup_for(sample)
        if key_set is not None and keys is not None:
            found = [key for key in keys if key in present]
            if not found:
                continue  # None, as the picker finds it: moto writes nothing
            lines.append(f"    v = value[{found[0]!r}]")
        elif kind is dict and keys is not None:
            lines.extend(_first_present(keys, "value.get({key!r}, _NF)"))
        elif kind is not dict and plain and keys is not None and by_instance_dict:
            lines.extend(_first_present_attribute(kind, keys))
        elif kind is not dict and plain and keys is not None:
            lines.extend(_first_present(keys, "getattr(value, {key!r}, _NF)"))
        else:
            lines.append(f"    v = m{index}.pick(value)")
        if text is _string_text:
            lines.append("    if type(v) is _str:")
            lines.append(f"        add({prefix} + _enc(v))")
        elif text is _int_text:
            lines.append("    if type(v) is _int:")
            lines.append(f"        add({prefix} + _irepr(v))")
        elif text is _boolean_text:
            lines.append("    if v is True:")
            lines.append(f"        add({prefix} + 'true')")
            lines.append("    elif v is False:")
            lines.append(f"        add({prefix} + 'false')")
        else:
            lines.append("    if False:")
            lines.append("        pass")
        lines.append("    elif v is not None:")
        lines.append(f"        v = t{index}(serializer, v)")
        lines.append("        if v is not _SKIP:")
        lines.append(f"            add({prefix} + v)")
    lines.append("    return '{' + ', '.join(parts) + '}'")
    exec(
        compile("\n".join(lines), f"<text serializer {shape.name}>", "exec"), namespace
    )
    generated: Callable[[DrsSerializer, Any], str] = namespace["generated"]
    return generated


def _attributes_in_instance_dict(kind: type, sample: Any) -> bool:
    """Whether ``getattr`` on instances of ``kind`` finds what the class does not define in the
    instance's ``__dict__`` and nowhere else: no ``__getattr__``, no own ``__getattribute__``."""
    return (
        isinstance(getattr(sample, "__dict__", None), dict)
        and getattr(kind, "__getattribute__", None) is object.__getattribute__
        and not hasattr(kind, "__getattr__")
    )


def _first_present_attribute(kind: type, keys: tuple[str, ...]) -> list[str]:
    """``_first_present`` over attributes: a name the class defines (a property, a method, a
    class constant) is read with ``getattr``; any other name can only be in the instance's
    ``__dict__`` (``d``), read there. A model's aliases are mostly names it lacks (a source
    server has ``source_server_id``, not ``sourceServerID``): the look-up that misses touches
    one dict, not every class of the model's bases (fewer objects read per item of a page).
    Classes are looked at when the function is generated: one that gains an attribute named
    like an alias later is not followed."""
    in_class = {key for key in keys if any(key in c.__dict__ for c in kind.__mro__)}
    lines: list[str] = []
    for position, key in enumerate(keys):
        lookup = (
            f"getattr(value, {key!r}, _NF)"
            if key in in_class
            else f"d.get({key!r}, _NF)"
        )
        if position == 0:
            lines.append(f"    v = {lookup}")
        else:
            lines.append("    if v is _NF:")
            lines.append(f"        v = {lookup}")
    if not keys:
        return ["    v = None"]
    lines.append("    if v is _NF:")
    lines.append("        v = None")
    return lines


def _list_text(item_shape: Shape) -> TextConverter:
    def text(serializer: "DrsSerializer", value: Any) -> Any:
        item_text = text_converter_for(item_shape)
        if item_text is _string_text and type(value) is list:
            if {*map(type, value)} <= _STR_ONLY:  # what _string_text writes for each
                return "[" + ", ".join(map(encode_basestring_ascii, value)) + "]"
        memoized = _MEMOS.get(id(item_text))
        if memoized is not None and memoized[0] is item_text and type(value) is list:
            listed = _memoized_items(serializer, value, memoized[1], memoized[2])
            if listed is not None:
                return listed
        items = []
        for item in value:
            written = item_text(serializer, item)
            items.append(_dumps(item) if written is _SKIP else written)
        return "[" + ", ".join(items) + "]"

    return text


def _map_text(shape: MapShape, convert: Converter) -> TextConverter:
    value_shape = cast(Shape, shape.value)

    def text(serializer: "DrsSerializer", value: Any) -> Any:
        if type(value) is not dict or not all(type(key) is str for key in value):
            return _dumps(convert(serializer, value))  # json.dumps's rules for keys
        value_text = text_converter_for(value_shape)
        entries = []
        for key, entry in value.items():
            written = value_text(serializer, entry)
            if written is not _SKIP:
                entries.append(encode_basestring_ascii(key) + ": " + written)
        return "{" + ", ".join(entries) + "}"

    return text


_PLAIN_OUTPUTS: dict[int, tuple[Shape, bool]] = {}


def _plain_output(shape: StructureShape) -> bool:
    """An output whose members all go to the JSON body (no headers, payload or document)."""
    cached = _PLAIN_OUTPUTS.get(id(shape))
    if cached is None:
        plain = (
            _reproducible(shape)
            and _nested_as_moto_writes_it(shape)
            and "payload" not in shape.serialization
        )
        cached = _PLAIN_OUTPUTS[id(shape)] = (shape, plain)
    return cached[1]


class DrsSerializer(RestJSONSerializer):
    """``RestJSONSerializer`` whose successful results go through the compiled converters."""

    def _serialize_result(self, resp: Any, result: Any) -> Any:
        shape = cast(StructureShape | None, self.operation_model.output_shape)
        if shape is None or not self._compiled_path_applies(shape):
            return super()._serialize_result(resp, result)
        if self.pretty_print:  # indented: json.dumps writes it
            body = converter_for(shape)(self, result)
            serialized = {"body": {} if body is _SKIP else body, "headers": {}}
        else:
            text = text_converter_for(shape)(self, result)
            # "{}" goes as an empty body: moto decides what to write for those
            empty = text is _SKIP or text == "{}"
            serialized = {"body": {} if empty else _Encoded(text), "headers": {}}
        return self._serialized_result_to_response(resp, result, shape, serialized)

    def _serialize_body(self, body: Any) -> str:
        if type(body) is _Encoded:
            return str.__str__(body)
        return super()._serialize_body(body)

    def _compiled_path_applies(self, shape: Shape | None) -> bool:
        picker = self._value_picker
        return (
            isinstance(shape, StructureShape)
            and _plain_output(shape)
            and type(picker) is XFormedAttributePicker
            and not picker.response_transformers
            and picker.alias_providers is DEFAULT_ALIAS_PROVIDERS
        )
