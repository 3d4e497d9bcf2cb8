"""content.json filtered against the libraries' semantics.json, the way H5P core's H5PContentValidator does.

Pure: no database, no storage. The caller passes the semantics of every library a package may use, keyed as
H5P writes sub-content libraries ("H5P.MultiChoice 1.16"). What H5P core does, and this module repeats:
- a group keeps only the keys its semantics name (unknown keys are dropped); a group of one field is stored by
  the editor as that field's value ("flattened"), except at the top of a library's params and in sub-content;
- text without `tags` is plain text: HTML-escaped (`htmlspecialchars(..., ENT_QUOTES, double_encode=false)`),
  because the libraries insert these strings as HTML; text with `tags` is HTML that keeps only those tags plus
  core's defaults (div, span, p, br and the companions of table, b, i, ul/ol, del/strike), safe attributes,
  http(s)/mailto/tel links and the inline styles core allows (alignment, the field's `font` options, and what
  CKEditor writes on tables when the field allows them), checked declaration by declaration, value included;
- numbers, booleans and selects are type-checked (bounds, decimals, the select's options);
- a `library` field holds sub-content: only the libraries in its `options` are allowed, and its params are
  filtered with that library's own semantics;
- image, video, audio and file fields keep only their known attributes, and a path cannot leave the
  content's own folder.
Values that fail are replaced or dropped, never rejected: the package still imports, as in H5P core.
Left out on purpose: core's `regexp` check of text fields. The package supplies both the pattern and the text,
so a crafted pattern could stall the import (Python's `re` has no timeout); it guards editor input, not safety,
since the text is escaped or sanitized anyway.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import nh3

# H5P core: `array('div', 'span', 'p', 'br')` are allowed in every HTML field, on top of the field's `tags`.
DEFAULT_TAGS = frozenset({"div", "span", "p", "br"})
# CKEditor 5 (the editor of current H5P) wraps a table in <figure class="table"> and sizes columns with <col>.
TABLE_TAGS = frozenset({"tr", "td", "th", "colgroup", "col", "thead", "tbody", "tfoot", "figure", "figcaption"})
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# nh3 needs the attributes spelled out; H5P core keeps any attribute except on* and unsafe style/URLs.
GENERIC_ATTRIBUTES = frozenset({"class", "title", "lang", "dir", "style"})
TAG_ATTRIBUTES = {
    "a": {"href", "target", "name"},
    "img": {"src", "alt", "width", "height"},
    "table": {"border", "cellpadding", "cellspacing", "summary", "width"},
    "td": {"colspan", "rowspan", "scope", "width"},
    "th": {"colspan", "rowspan", "scope", "width"},
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "abbr": {"title"},
    "time": {"datetime"},
}
# Inline styles, declaration by declaration, as core's start-to-end patterns: the property AND its value (a
# property name alone would let `color: expression(...)` or `url(javascript:...)` through).
_COLOR = r"(#[a-f0-9]{3}([a-f0-9]{3})?|rgba?\([0-9., ]+\)|hsla?\([0-9,.% ]+\))"
_LENGTH = r"[0-9.]+(em|px|%)"
FONT_STYLES = {
    "size": rf"font-size *: *{_LENGTH}",
    "family": r"font-family *: *[-a-z0-9,'\" ]+",
    "color": rf"color *: *{_COLOR}",
    "background": rf"background-color *: *{_COLOR}",
    "spacing": rf"letter-spacing *: *{_LENGTH}",
    "height": r"line-height *: *[0-9.]+(em|px|%)?",
}
ALIGN_STYLE = r"text-align *: *(center|left|right)"  # core allows alignment in every HTML field
# core: what CKEditor writes on tables, when the field allows tables.
TABLE_STYLES = (
    rf"border *: *[0-9.]+(em|px|%)? *(none|solid|dotted|dashed|double|groove|ridge|inset|outset) *{_COLOR}",
    r"border-style *: *(none|solid|dotted|dashed|double|groove|ridge|inset|outset)",
    r"border-width *: *[0-9.]+(em|px|%)?",
    rf"border-color *: *{_COLOR}",
    r"vertical-align *: *(middle|top|bottom)",
    r"padding *: *[0-9.]+(em|px|%)?",
    r"width *: *[0-9.]+(em|px|%)?",
    r"height *: *[0-9.]+(em|px|%)?",
    r"float *: *(right|left|none)",
    r"border-collapse *: *collapse",
    rf"background-color *: *{_COLOR}",
)
SUB_CONTENT_ID = re.compile(r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$")
# An already-written entity is left as it is (double_encode = false).
ENTITY = re.compile(r"&(?!(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)")
# core's relativePathRegExp: "../<other content id>/file" or similar reaches into another content's folder.
OTHER_CONTENT_PATH = re.compile(r"^((\.\./){1,2}(\d+|editor)/)?(.*)$")

# H5P core's getCopyrightSemantics() and getMetadataSemantics(), reduced to their types (labels do not matter).
COPYRIGHT_SEMANTICS = [
    {"name": name, "type": "text", "optional": True} for name in ("title", "author", "year", "source", "license")
] + [{"name": "version", "type": "text", "optional": True}]
METADATA_SEMANTICS = [
    {"name": name, "type": "text", "optional": True}
    for name in (
        "title",
        "a11yTitle",
        "license",
        "licenseVersion",
        "yearFrom",
        "yearTo",
        "source",
        "licenseExtras",
        "authorComments",
        "contentType",
        "defaultLanguage",
    )
] + [
    {
        "name": "authors",
        "type": "list",
        "optional": True,
        "field": {
            "name": "author",
            "type": "group",
            "fields": [{"name": "name", "type": "text"}, {"name": "role", "type": "text"}],
        },
    },
    {
        "name": "changes",
        "type": "list",
        "optional": True,
        "field": {
            "name": "change",
            "type": "group",
            "fields": [
                {"name": "date", "type": "text"},
                {"name": "author", "type": "text"},
                {"name": "log", "type": "text"},
            ],
        },
    },
]

_DROP = object()


@dataclass
class SemanticsReport:
    """What the filter changed, for the import report (counted, not listed one by one)."""

    dropped_keys: int = 0
    html_changed: int = 0
    values_fixed: int = 0
    libraries_refused: set[str] = field(default_factory=set)
    libraries_unknown: set[str] = field(default_factory=set)

    @property
    def changed(self) -> bool:
        return bool(
            self.dropped_keys
            or self.html_changed
            or self.values_fixed
            or self.libraries_refused
            or self.libraries_unknown
        )


def escape_text(value: str) -> str:
    """PHP's htmlspecialchars(value, ENT_QUOTES, 'UTF-8', false)."""
    value = ENTITY.sub("&amp;", value)
    return value.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#039;")


def html_allowed_tags(semantics: Mapping[str, Any]) -> set[str]:
    """core: the field's tags, the four defaults and the tags that must come with some of them."""
    tags = set(DEFAULT_TAGS) | {t.lower() for t in semantics.get("tags", []) if isinstance(t, str)}
    if "table" in tags:
        tags |= TABLE_TAGS
    if "b" in tags:
        tags.add("strong")
    if "i" in tags:
        tags.add("em")
    if "ul" in tags or "ol" in tags:
        tags.add("li")
    if "del" in tags or "strike" in tags:
        tags.add("s")
    # Never, whatever a semantics.json asks for: these run or embed code.
    return tags - {"script", "style", "iframe", "object", "embed", "frame", "frameset", "link", "meta", "base"}


def html_filter(value: str, semantics: Mapping[str, Any]) -> str:
    """Keep only the allowed tags, safe attributes and URL schemes, and the styles the `font` options allow."""
    tags = html_allowed_tags(semantics)
    patterns = [ALIGN_STYLE]
    font = semantics.get("font")
    if isinstance(font, Mapping):
        patterns += [pattern for option, pattern in FONT_STYLES.items() if font.get(option)]
    if "table" in tags:
        patterns += TABLE_STYLES
    style = re.compile("|".join(f"(?:{pattern})" for pattern in patterns), re.IGNORECASE)

    def attribute_filter(_element: str, name: str, attribute: str) -> str | None:
        if name != "style":
            return attribute
        kept = [d.strip() for d in re.sub(r"\s+", " ", attribute).split(";") if style.fullmatch(d.strip())]
        return "; ".join(kept) or None

    attributes = {"*": set(GENERIC_ATTRIBUTES)}
    attributes.update({tag: set(names) for tag, names in TAG_ATTRIBUTES.items() if tag in tags})
    return nh3.clean(
        value,
        tags=tags,
        attributes=attributes,
        url_schemes=set(URL_SCHEMES),
        attribute_filter=attribute_filter,
        link_rel="noopener noreferrer",
    )


class _Filter:
    def __init__(self, libraries: Mapping[str, list[dict[str, Any]] | None]):
        self.libraries = libraries
        self.report = SemanticsReport()
        self.types: dict[str, Callable[[Any, Mapping[str, Any]], Any]] = {
            "text": self.text,
            "number": self.number,
            "boolean": self.boolean,
            "select": self.select,
            "list": self.list,
            "group": self.group,
            "library": self.library,
            "image": self.image,
            "file": self.file,
            "video": self.video,
            "audio": self.audio,
        }

    def value(self, value: Any, semantics: Mapping[str, Any]) -> Any:
        handler = self.types.get(semantics.get("type"))
        if handler is None:  # core: a field type without a validator is removed
            self.report.dropped_keys += 1
            return _DROP
        return handler(value, semantics)

    def text(self, value: Any, semantics: Mapping[str, Any]) -> Any:
        if not isinstance(value, str):
            self.report.values_fixed += 1
            value = "" if value is None or isinstance(value, dict | list) else str(value)
        if "tags" in semantics:
            cleaned = html_filter(value, semantics)
            if cleaned != value:
                self.report.html_changed += 1
            value = cleaned
        else:
            value = escape_text(value)
        max_length = semantics.get("maxLength")
        if isinstance(max_length, int) and not isinstance(max_length, bool) and max_length >= 0:
            value = value[:max_length]
        return value

    def number(self, value: Any, semantics: Mapping[str, Any]) -> Any:
        original = value
        if isinstance(value, str):
            try:
                value = float(value) if any(c in value for c in ".eE") else int(value)
            except ValueError:
                value = 0
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            value = 0
        low, high = semantics.get("min"), semantics.get("max")
        if _is_number(low) and value < low:
            value = low
        if _is_number(high) and value > high:
            value = high
        decimals = semantics.get("decimals")
        if isinstance(decimals, int) and not isinstance(decimals, bool) and 0 <= decimals <= 15:
            value = round(value, decimals) if decimals else int(round(value))
        if value != original or type(value) is not type(original):
            self.report.values_fixed += 1
        return value

    def boolean(self, value: Any, semantics: Mapping[str, Any]) -> Any:
        if not isinstance(value, bool):
            self.report.values_fixed += 1
            return False
        return value

    def select(self, value: Any, semantics: Mapping[str, Any]) -> Any:
        options: set[Any] = set()
        first = None
        for option in semantics.get("options") or []:
            if not isinstance(option, Mapping):
                continue
            group = option.get("options") if option.get("type") == "optgroup" else [option]
            for item in group if isinstance(group, list) else []:
                if isinstance(item, Mapping) and "value" in item and _hashable(item["value"]):
                    options.add(item["value"])
                    first = item["value"] if first is None else first
        strict = bool(options) and not semantics.get("optional")
        if semantics.get("multiple"):
            values = value if isinstance(value, list) else [value]
            kept = [v for v in values if _hashable(v) and (not strict or v in options)]
            if len(kept) != len(values):
                self.report.values_fixed += 1
            return [escape_text(v) if isinstance(v, str) else v for v in kept if isinstance(v, str | int | float)]
        if isinstance(value, list):
            value = value[0] if value else None
        if strict and (not _hashable(value) or value not in options):
            self.report.values_fixed += 1
            value = first
        if isinstance(value, str):
            return escape_text(value)
        return value if isinstance(value, int | float) or value is None else _DROP

    def list(self, value: Any, semantics: Mapping[str, Any]) -> Any:
        item_semantics = semantics.get("field")
        if isinstance(value, dict):  # PHP's json_encode writes an array with gaps as {"0": ..., "2": ...}
            value = [item for key, item in value.items() if isinstance(key, str) and key.isascii() and key.isdigit()]
        if not isinstance(value, list) or not isinstance(item_semantics, Mapping):
            self.report.values_fixed += 1
            return _DROP
        maximum = semantics.get("max")
        if _is_number(maximum) and len(value) > maximum:
            self.report.values_fixed += 1
            value = value[: int(maximum)]
        kept = []
        for item in value:
            filtered = self.value(item, item_semantics)
            if filtered is not _DROP and filtered is not None:
                kept.append(filtered)
        return kept if kept else _DROP  # core: an empty list becomes NULL and its key is removed

    def group(self, value: Any, semantics: Mapping[str, Any], *, flatten: bool = True) -> Any:
        fields = [f for f in semantics.get("fields") or [] if isinstance(f, Mapping)]
        sub_content = semantics.get("isSubContent") is True
        if len(fields) == 1 and flatten and not sub_content:
            return self.value(value, fields[0])
        if value == []:  # PHP's json_encode writes an empty group as []; players read its fields
            value = {}
        if not isinstance(value, dict):
            self.report.values_fixed += 1
            return _DROP
        by_name = {f.get("name"): f for f in fields if isinstance(f.get("name"), str)}
        result: dict[str, Any] = {}
        for key, item in value.items():
            if sub_content and key == "subContentId":
                if isinstance(item, str) and SUB_CONTENT_ID.match(item):
                    result[key] = item
                continue
            field_semantics = by_name.get(key)
            if field_semantics is None:
                self.report.dropped_keys += 1
                continue
            if semantics.get("optional"):
                field_semantics = {**field_semantics, "optional": True}
            filtered = self.value(item, field_semantics)
            if filtered is not _DROP and filtered is not None:
                result[key] = filtered
        return result

    def library(self, value: Any, semantics: Mapping[str, Any]) -> Any:
        if not isinstance(value, dict) or not isinstance(value.get("library"), str):
            return _DROP
        options = semantics.get("options") or []
        allowed = {o.get("name") if isinstance(o, Mapping) else o for o in options}
        name = value["library"]
        if name not in allowed:
            self.report.libraries_refused.add(name)
            return _DROP
        if name not in self.libraries:
            self.report.libraries_unknown.add(name)
            return _DROP
        result: dict[str, Any] = {"library": name}
        params = self.group(
            value.get("params", {}), {"type": "group", "fields": self.libraries[name] or []}, flatten=False
        )
        result["params"] = params if isinstance(params, dict) else {}
        if isinstance(value.get("metadata"), dict):
            result["metadata"] = self.metadata(value["metadata"])
        if isinstance(value.get("subContentId"), str) and SUB_CONTENT_ID.match(value["subContentId"]):
            result["subContentId"] = value["subContentId"]
        for key in semantics.get("extraAttributes") or []:
            if isinstance(key, str) and key in value and key not in result:
                result[key] = value[key]
        self.report.dropped_keys += len(set(value) - set(result))
        return result

    def metadata(self, value: dict[str, Any]) -> dict[str, Any]:
        filtered = self.group(value, {"type": "group", "fields": METADATA_SEMANTICS}, flatten=False)
        return filtered if isinstance(filtered, dict) else {}

    def _filelike(self, value: Any, semantics: Mapping[str, Any], extra: tuple[str, ...] = ()) -> Any:
        if not isinstance(value, dict) or not isinstance(value.get("path"), str):
            self.report.values_fixed += 1
            return _DROP
        keys = {"path", "mime", "copyright", *extra}
        keys |= {k for k in semantics.get("extraAttributes") or [] if isinstance(k, str)}
        self.report.dropped_keys += len(set(value) - keys)
        result: dict[str, Any] = {}
        path = OTHER_CONTENT_PATH.match(value["path"])[4]
        if path.endswith("#tmp"):
            path = path[:-4]
        result["path"] = escape_text(path)
        for key in keys - {"path"}:
            if key not in value:
                continue
            item = value[key]
            if key in ("width", "height", "bitrate"):
                result[key] = _to_int(item)
            elif key in ("mime", "codecs"):
                if isinstance(item, str):
                    result[key] = escape_text(item)
            elif key == "quality":
                if isinstance(item, dict) and "level" in item and "label" in item:
                    result[key] = {"level": _to_int(item["level"]), "label": escape_text(str(item["label"]))}
            elif key == "copyright":
                copyright = self.group(item, {"type": "group", "fields": COPYRIGHT_SEMANTICS}, flatten=False)
                if isinstance(copyright, dict):
                    result[key] = copyright
            elif key == "originalImage":
                original = self._filelike(item, {}, ("width", "height"))
                if original is not _DROP:
                    result[key] = original
            elif key == "aspectRatio":
                if isinstance(item, str | int | float) and not isinstance(item, bool):
                    result[key] = escape_text(item) if isinstance(item, str) else item
            elif key == "metadata":  # Interactive Video's video files (extraAttributes): their title and licence
                if isinstance(item, dict):
                    result[key] = self.metadata(item)
            else:  # extraAttributes: kept as core does (scalars only here)
                if isinstance(item, str | int | float | bool) or item is None:
                    result[key] = escape_text(item) if isinstance(item, str) else item
        return result

    def file(self, value: Any, semantics: Mapping[str, Any]) -> Any:
        return self._filelike(value, semantics)

    def image(self, value: Any, semantics: Mapping[str, Any]) -> Any:
        return self._filelike(value, semantics, ("width", "height", "originalImage"))

    def _variants(self, value: Any, semantics: Mapping[str, Any], extra: tuple[str, ...]) -> Any:
        if not isinstance(value, list):
            self.report.values_fixed += 1
            return _DROP
        kept = [v for v in (self._filelike(item, semantics, extra) for item in value) if v is not _DROP]
        return kept

    def video(self, value: Any, semantics: Mapping[str, Any]) -> Any:
        return self._variants(value, semantics, ("width", "height", "codecs", "quality", "bitrate", "aspectRatio"))

    def audio(self, value: Any, semantics: Mapping[str, Any]) -> Any:
        return self._variants(value, semantics, ())


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _hashable(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) or value is None


def _to_int(value: Any) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return 0


def content_filter(
    params: Any, *, main_library: str, libraries: Mapping[str, list[dict[str, Any]] | None]
) -> tuple[dict[str, Any], SemanticsReport]:
    """Filter a content.json (the main library's params) against the semantics of `main_library`
    ("H5P.QuestionSet 1.17"); `libraries` maps every usable "machineName major.minor" to its semantics.json
    (None when a library has none). Returns the filtered params and what changed."""
    walker = _Filter(libraries)
    wrapped = walker.library(
        {"library": main_library, "params": params if isinstance(params, dict) else {}},
        {"options": [main_library]},
    )
    filtered = wrapped["params"] if isinstance(wrapped, dict) else {}
    return filtered, walker.report
