"""Real-world package shapes built here: a Course-Presentation-like package whose video library carries
Flash, editor libraries in the package, sub-content three levels deep, the field types and HTML real editors write,
and JSON that must be refused with a reason, never answered with a 500."""

import json

import pytest
from django.test import Client

from content.h5p import H5PValidationError, package_validate
from content.semantics import content_filter, html_filter
from content.services import package_import
from tests.h5p_fixtures import build_zip, library_json, media_root_fixture, package_files, stored_files  # noqa: F401

pytestmark = pytest.mark.django_db
SUB_ID = "2c60d5b4-fd37-48ac-b4d6-930c440b62fa"
TEXT_SEMANTICS = [
    {
        "name": "text",
        "type": "text",
        "widget": "html",
        "tags": ["strong", "em", "a", "ul", "ol", "h2", "table"],
        "font": {"size": True, "color": True, "background": True},
    }
]
VIDEO_SEMANTICS = [
    {"name": "sources", "type": "video"},
    {
        "name": "visuals",
        "type": "group",
        "fields": [
            {"name": "poster", "type": "image", "optional": True},
            {"name": "fit", "type": "boolean", "optional": True},
        ],
    },
]
SLIDES_SEMANTICS = [
    {
        "name": "presentation",
        "type": "group",
        "fields": [
            {
                "name": "slides",
                "type": "list",
                "field": {
                    "name": "slide",
                    "type": "group",
                    "fields": [
                        {
                            "name": "elements",
                            "type": "list",
                            "field": {
                                "name": "element",
                                "type": "group",
                                "fields": [
                                    {"name": "x", "type": "number"},
                                    {"name": "y", "type": "number"},
                                    {"name": "action", "type": "library", "options": ["H5P.Txt 1.1", "H5P.Vid 1.6"]},
                                ],
                            },
                        },
                        {
                            "name": "slideBackgroundSelector",
                            "type": "group",
                            "fields": [
                                {"name": "image", "type": "image", "optional": True},
                                {"name": "fill", "type": "text", "optional": True},
                            ],
                        },
                    ],
                },
            },
            {"name": "keywordListEnabled", "type": "boolean"},  # two fields: not flattened
        ],
    },
    {"name": "score", "type": "number", "min": 0, "max": 10, "decimals": 1},
    {"name": "code", "type": "text", "regexp": {"pattern": "^[A-Z]{3}$", "modifiers": ""}},
    {
        "name": "modes",
        "type": "select",
        "multiple": True,
        "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
    },
]


def _library(name, major, minor, *, js, runnable=1, **extra):
    data = library_json(name, major, minor, runnable=runnable, **extra)
    data["preloadedJs"] = [{"path": js}]
    data.pop("preloadedCss")
    return data


def _slides_package() -> dict:
    """H5P.Slides 1.0 (main) → H5P.Txt 1.1 and H5P.Vid 1.6 → flowplayer 1.0 (js + swf), and an editor library."""
    dep = lambda name, major, minor: {"machineName": name, "majorVersion": major, "minorVersion": minor}  # noqa: E731
    libraries = {
        "H5P.Slides-1.0": (
            _library("H5P.Slides", 1, 0, js="slides.js", editorDependencies=[dep("H5PEditor.Slides", 1, 0)]),
            SLIDES_SEMANTICS,
        ),
        "H5P.Txt-1.1": (_library("H5P.Txt", 1, 1, js="txt.js"), TEXT_SEMANTICS),
        "H5P.Vid-1.6": (
            _library("H5P.Vid", 1, 6, js="vid.js", preloadedDependencies=[dep("flowplayer", 1, 0)]),
            VIDEO_SEMANTICS,
        ),
        "flowplayer-1.0": (_library("flowplayer", 1, 0, js="scripts/flowplayer-3.2.12.min.js", runnable=0), None),
        "H5PEditor.Slides-1.0": (_library("H5PEditor.Slides", 1, 0, js="editor.js", runnable=0), None),
    }
    files = {
        "h5p.json": json.dumps(
            {
                "title": "Presentasi",
                "language": "id",
                "mainLibrary": "H5P.Slides",
                "embedTypes": ["iframe"],
                "preloadedDependencies": [
                    dep("H5P.Slides", "1", "0"),
                    dep("H5P.Txt", "1", "1"),
                    dep("H5P.Vid", "1", "6"),
                    dep("flowplayer", "1", "0"),
                ],
            }
        ),
        "content/images/bg.png": b"\x89PNG",
        "content/videos/klip.mp4": b"\x00\x00\x00\x18ftypmp42",
    }
    for folder, (library, semantics) in libraries.items():
        files[f"{folder}/library.json"] = json.dumps(library)
        for entry in library["preloadedJs"]:
            files[f"{folder}/{entry['path']}"] = "/* code */"
        if semantics is not None:
            files[f"{folder}/semantics.json"] = json.dumps(semantics)
    files["flowplayer-1.0/scripts/flowplayer-3.2.12.swf"] = b"FWS\x0a"  # the Flash fallback old H5P.Video shipped
    files["H5PEditor.Slides-1.0/styles/editor.css"] = ".x{}"
    text = (
        '<h2 style="text-align:center">Judul</h2><p><span style="font-size:1.25em;color:#e74c3c">Merah</span> '
        '<a href="https://jdih.example/uu?no=5&amp;th=2014" target="_blank">UU ASN</a> '
        '<a href="javascript:alert(1)" onclick="x()">jahat</a><script>alert(2)</script></p>'
        '<table border="1" cellpadding="1" style="width:500px"><tbody><tr><td style="vertical-align:top">Sel</td>'
        '</tr></tbody></table><p style="color: expression(alert(3)); background-color: url(javascript:alert(4))">'
        'Gaya</p><iframe src="https://evil.example"></iframe>'
    )
    metadata = {"contentType": "Text", "license": "U", "title": "Teks", "authors": [], "changes": []}
    content = {
        "presentation": {
            "keywordListEnabled": True,
            "slides": [
                {
                    "elements": [
                        {
                            "x": 4.5,
                            "y": 6.25,
                            "action": {
                                "library": "H5P.Txt 1.1",
                                "params": {"text": text},
                                "subContentId": SUB_ID,
                                "metadata": metadata,
                            },
                        },
                        {
                            "x": 50,
                            "y": 10,
                            "action": {
                                "library": "H5P.Vid 1.6",
                                "params": {
                                    "sources": [
                                        {"path": "videos/klip.mp4", "mime": "video/mp4", "copyright": {"license": "U"}},
                                        {
                                            "path": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                                            "mime": "video/YouTube",
                                        },
                                    ],
                                    "visuals": {"poster": {"path": "images/bg.png", "mime": "image/png", "width": 64}},
                                },
                                "subContentId": "3d6a1f5e-0b2c-4e7d-9a8b-1c2d3e4f5a6b",
                            },
                        },
                        {"x": 1, "y": 1, "action": {"library": "H5P.Vid 1.5", "params": {}}},
                    ],
                    "slideBackgroundSelector": [],  # PHP's json_encode of an empty group
                },
                {
                    "elements": {"0": {"x": 7, "y": 8}, "2": {"x": 9, "y": 9}},
                    "slideBackgroundSelector": {"fill": "#fff"},
                },
            ],
        },
        "score": 7.25,
        "code": "ASN",
        "modes": ["b", "z"],
    }
    files["content/content.json"] = json.dumps(content)
    return files


@pytest.fixture
def slides(media_root):
    return package_import(source=build_zip(_slides_package()))


def test_a_package_whose_video_library_carries_flash_imports_without_the_swf(slides, media_root):
    notes = {(note["code"], note["path"]) for note in slides.import_notes}
    assert ("file_left_out", "flowplayer-1.0/scripts/flowplayer-3.2.12.swf") in notes
    flowplayer = slides.libraries.get(machine_name="flowplayer")
    assert flowplayer.files == ["library.json", "scripts/flowplayer-3.2.12.min.js"]
    assert not [p for p in stored_files(media_root) if p.suffix == ".swf"]
    # The editor library is not part of what plays: not pinned to the activity.
    assert not slides.libraries.filter(machine_name__startswith="H5PEditor").exists()
    player = Client(HTTP_HOST="localhost")
    base = f"/h5p/a/{slides.uuid}/libraries/flowplayer-1.0/scripts"
    assert player.get(f"{base}/flowplayer-3.2.12.min.js").status_code == 200
    assert player.get(f"{base}/flowplayer-3.2.12.swf").status_code == 404
    assert player.get(f"/h5p/a/{slides.uuid}/libraries/H5PEditor.Slides-1.0/editor.js").status_code == 404


def _stored_content(activity, media_root) -> dict:
    return json.loads((media_root / activity.storage_path / "content.json").read_text())


def test_nested_sub_content_keeps_what_the_player_needs_and_loses_the_script(slides, media_root):
    content = _stored_content(slides, media_root)
    slide, second = content["presentation"]["slides"]
    text_element, video_element, other = slide["elements"]
    assert other == {"x": 1, "y": 1}  # its action used a version the options do not name: dropped, as core does
    action = text_element["action"]
    assert action["library"] == "H5P.Txt 1.1" and action["subContentId"] == SUB_ID
    assert action["metadata"] == {"contentType": "Text", "license": "U", "title": "Teks"}
    text = action["params"]["text"]
    for kept in (
        '<h2 style="text-align:center">Judul</h2>',
        'style="font-size:1.25em; color:#e74c3c"',
        'href="https://jdih.example/uu?no=5&amp;th=2014" target="_blank"',
        '<table border="1" cellpadding="1" style="width:500px">',
        '<td style="vertical-align:top">Sel</td>',
        "<p>Gaya</p>",
    ):
        assert kept in text, kept
    for gone in ("javascript:", "onclick", "<script", "alert", "expression", "<iframe", "evil.example"):
        assert gone not in text, gone
    video = video_element["action"]["params"]
    assert [s["path"] for s in video["sources"]] == ["videos/klip.mp4", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"]
    assert video["visuals"]["poster"] == {"path": "images/bg.png", "mime": "image/png", "width": 64}
    assert slide["slideBackgroundSelector"] == {}
    assert second["elements"] == [{"x": 7, "y": 8}, {"x": 9, "y": 9}]
    assert content["score"] in (7.2, 7.3)  # one decimal
    assert content["code"] == "ASN" and content["modes"] == ["b"]
    assert any(
        note["code"] == "subcontent_removed" and "H5P.Vid 1.5" in note["message"] for note in slides.import_notes
    )


def test_a_library_without_semantics_and_a_dependency_only_library_still_play(slides):
    player = Client(HTTP_HOST="localhost")
    for path in ("H5P.Slides-1.0/slides.js", "H5P.Txt-1.1/txt.js", "H5P.Vid-1.6/vid.js"):
        assert player.get(f"/h5p/a/{slides.uuid}/libraries/{path}").status_code == 200, path


def test_styles_are_checked_by_value_not_only_by_property():
    semantics = {"tags": ["p"], "font": {"color": True, "background": True}}
    cleaned = html_filter(
        '<p style="color: expression(alert(1)); background-color:url(javascript:alert(1)); text-align:left">x</p>'
        '<p style="color:#123456;background-color:rgb(1, 2, 3)">y</p><p style="width:10px">z</p>',
        semantics,
    )
    assert cleaned == (
        '<p style="text-align:left">x</p><p style="color:#123456; background-color:rgb(1, 2, 3)">y</p><p>z</p>'
    )


def test_lists_written_as_objects_and_groups_written_as_empty_arrays_are_read_as_core_reads_them():
    semantics = [
        {"name": "items", "type": "list", "field": {"name": "item", "type": "text"}},
        {
            "name": "behaviour",
            "type": "group",
            "fields": [{"name": "a", "type": "boolean"}, {"name": "b", "type": "boolean"}],
        },
    ]
    params, _report = content_filter(
        {"items": {"0": "satu", "3": "dua", "x": "bukan"}, "behaviour": []},
        main_library="H5P.L 1.0",
        libraries={"H5P.L 1.0": semantics},
    )
    assert params == {"items": ["satu", "dua"], "behaviour": {}}


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("content/content.json", '{"a": ' + "9" * 5000 + "}", "content_json_invalid"),
        ("content/content.json", '{"a": ' + "[" * 50000 + "]" * 50000 + "}", "content_json_invalid"),
        ("content/content.json", '{"a": ' + "[" * 150 + "]" * 150 + "}", "content_json_invalid"),
        ("h5p.json", '{"a": ' + "[" * 50000 + "]" * 50000 + "}", "h5p_json_invalid"),
        ("H5P.Tiny-1.0/library.json", '{"a": ' + "9" * 5000 + "}", "library_json_invalid"),
        ("H5P.Tiny-1.0/language/id.json", '{"a": ' + "[" * 50000 + "]" * 50000 + "}", "language_invalid"),
    ],
    ids=["huge-integer", "deep-content", "deeper-than-100", "deep-h5p-json", "huge-integer-library", "deep-language"],
)
def test_json_too_deep_or_with_huge_integers_is_refused_with_a_reason(name, data, code):
    files = package_files()
    files[name] = data
    with pytest.raises(H5PValidationError) as caught:
        package_validate(build_zip(files))
    assert code in caught.value.codes


@pytest.mark.parametrize(
    "semantics",
    ['[{"name": "a", "type": "number", "min": ' + "9" * 5000 + "}]", "[" * 50000 + "]" * 50000],
    ids=["huge-integer", "deep"],
)
def test_an_unreadable_semantics_json_imports_without_params_instead_of_a_500(media_root, semantics):
    files = package_files()
    files["H5P.Tiny-1.0/semantics.json"] = semantics
    activity = package_import(source=build_zip(files))
    assert json.loads((media_root / activity.storage_path / "content.json").read_text()) == {}


def test_tables_as_ckeditor_5_writes_them_keep_their_figure_and_column_widths():
    html = (
        '<figure class="table" style="float:left"><table style="border-collapse:collapse"><colgroup>'
        '<col style="width:30%"><col style="width:70%"></colgroup><tbody><tr><td style="padding:4px;'
        'border:1px solid #cccccc">A</td><td>B</td></tr></tbody></table><figcaption>Tabel 1</figcaption></figure>'
    )
    assert html_filter(html, {"tags": ["table"]}) == html.replace("padding:4px;border", "padding:4px; border")
    assert "<figure" not in html_filter(html, {"tags": ["p"]})  # no table allowed: no table companions either


def test_interactive_videos_file_metadata_extra_attribute_is_kept_and_filtered():
    semantics = [
        {"name": "files", "type": "video", "extraAttributes": ["metadata"]},
        {"name": "title", "type": "text"},
    ]
    video = {
        "path": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "mime": "video/YouTube",
        "copyright": {"license": "U"},
        "metadata": {
            "title": "Pidato <b>Menteri</b>",
            "license": "CC BY",
            "authors": [{"name": "A", "role": "Author"}],
        },
    }
    params, _report = content_filter(
        {"files": [video], "title": "x"}, main_library="H5P.IV 1.0", libraries={"H5P.IV 1.0": semantics}
    )
    assert params["files"][0]["metadata"] == {
        "title": "Pidato &lt;b&gt;Menteri&lt;/b&gt;",
        "license": "CC BY",
        "authors": [{"name": "A", "role": "Author"}],
    }
