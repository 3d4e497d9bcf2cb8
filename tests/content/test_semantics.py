"""content/semantics.py: content.json filtered against semantics.json as H5P core's H5PContentValidator does.
Pure (no database): malicious values built here, and every hub sample's own content, which must survive."""

import json
import zipfile

import pytest

from content.semantics import content_filter, escape_text
from tests.h5p_fixtures import HUB, needs_samples

QUESTION = [
    {"name": "question", "type": "text", "widget": "html", "tags": ["strong", "em", "a", "ul"]},
    {"name": "label", "type": "text"},
    {"name": "attempts", "type": "number", "min": 1, "max": 5, "optional": True},
    {"name": "enableRetry", "type": "boolean", "optional": True},
    {
        "name": "mode",
        "type": "select",
        "options": [{"value": "h5p", "label": "H5P"}, {"value": "native", "label": "Native"}],
        "default": "h5p",
    },
    {
        "name": "answers",
        "type": "list",
        "max": 3,
        "field": {
            "name": "answer",
            "type": "group",
            "fields": [
                {"name": "text", "type": "text", "tags": ["em"]},
                {"name": "correct", "type": "boolean"},
            ],
        },
    },
    {"name": "image", "type": "image", "optional": True},
    {"name": "content", "type": "library", "options": ["H5P.Text 1.1"], "optional": True},
]
TEXT = [{"name": "text", "type": "text", "widget": "html", "tags": ["p", "b"]}]
LIBRARIES = {"H5P.Question 1.0": QUESTION, "H5P.Text 1.1": TEXT, "H5P.Evil 1.0": TEXT}


def _filter(params):
    return content_filter(params, main_library="H5P.Question 1.0", libraries=LIBRARIES)


def test_script_tags_and_event_handlers_are_removed_from_html_fields():
    params, report = _filter(
        {
            "question": '<p>Siapa?<script>fetch("/admin/")</script><img src=x onerror="alert(1)">'
            '<strong onclick="x()">ASN</strong><iframe src="//evil"></iframe></p>',
        }
    )
    question = params["question"]
    assert "<script" not in question and "fetch" not in question
    assert "onerror" not in question and "onclick" not in question and "<img" not in question  # img not allowed
    assert "<iframe" not in question
    assert "<p>Siapa?" in question and "<strong>ASN</strong>" in question
    assert report.html_changed == 1


def test_javascript_urls_are_removed_and_safe_links_kept():
    params, _ = _filter(
        {
            "question": '<a href="javascript:alert(1)">x</a> <a href="JaVaScRiPt&colon;alert(1)">y</a> '
            '<a href="https://jdih.go.id" target="_blank">JDIH</a>'
        }
    )
    assert "javascript" not in params["question"].lower()
    assert 'href="https://jdih.go.id"' in params["question"]


def test_tags_not_named_in_the_semantics_are_stripped_but_their_text_kept():
    params, _ = _filter({"answers": [{"text": "<b>tebal</b> <em>miring</em> <h1>judul</h1>", "correct": True}]})
    assert params["answers"] == [{"text": "tebal <em>miring</em> judul", "correct": True}]


def test_plain_text_fields_are_escaped_as_core_does_and_existing_entities_kept():
    params, _ = _filter({"label": "<script>alert('x')</script> &amp; Tom & \"Jerry\""})
    assert params["label"] == "&lt;script&gt;alert(&#039;x&#039;)&lt;/script&gt; &amp; Tom &amp; &quot;Jerry&quot;"
    assert escape_text(params["label"]) == params["label"]  # filtering twice changes nothing


def test_wrong_types_are_replaced_and_bounds_applied():
    params, report = _filter(
        {
            "label": {"nested": "<script>"},
            "attempts": 99,
            "enableRetry": "yes",
            "mode": "<script>",
            "answers": [{"text": 5, "correct": 1}, "not a group", {"text": "ok", "correct": False}, {}, {}],
        }
    )
    assert params["label"] == ""
    assert params["attempts"] == 5
    assert params["enableRetry"] is False
    assert params["mode"] == "h5p"  # core: the first option
    assert params["answers"] == [{"text": "5", "correct": False}, {"text": "ok", "correct": False}]
    assert report.values_fixed >= 5


def test_unknown_keys_are_dropped_at_every_level():
    params, report = _filter({"label": "a", "onload": "x", "answers": [{"text": "b", "correct": True, "js": "x"}]})
    assert params == {"label": "a", "answers": [{"text": "b", "correct": True}]}
    assert report.dropped_keys == 2


def test_sub_content_is_filtered_with_its_own_semantics_and_only_allowed_libraries_pass():
    allowed, _ = _filter(
        {
            "content": {
                "library": "H5P.Text 1.1",
                "params": {"text": "<p>Hai<script>x</script></p>", "extra": 1},
                "subContentId": "1b7a0a5e-5ee1-4c7a-9d32-bf7f3b7b6b8d",
                "metadata": {"title": "<b>t</b>", "license": "U", "evil": "x"},
                "onclick": "x",
            }
        }
    )
    assert allowed["content"] == {
        "library": "H5P.Text 1.1",
        "params": {"text": "<p>Hai</p>"},
        "metadata": {"title": "&lt;b&gt;t&lt;/b&gt;", "license": "U"},
        "subContentId": "1b7a0a5e-5ee1-4c7a-9d32-bf7f3b7b6b8d",
    }
    refused, report = _filter({"content": {"library": "H5P.Evil 1.0", "params": {"text": "x"}}})
    assert "content" not in refused and report.libraries_refused == {"H5P.Evil 1.0"}


def test_file_fields_keep_known_attributes_and_stay_in_the_content_folder():
    params, _ = _filter(
        {
            "image": {
                "path": "../../12/images/secret.png",
                "mime": 'image/png"><script>',
                "width": "300px",
                "onerror": "x",
                "copyright": {"license": "U", "evil": 1},
            }
        }
    )
    assert params["image"] == {
        "path": "images/secret.png",
        "mime": "image/png&quot;&gt;&lt;script&gt;",
        "width": 0,
        "copyright": {"license": "U"},
    }


def test_a_group_of_one_field_is_flattened_like_the_editor_stores_it():
    semantics = {
        "H5P.One 1.0": [
            {"name": "behaviour", "type": "group", "fields": [{"name": "x", "type": "text", "tags": ["b"]}]},
        ]
    }
    params, _ = content_filter(
        {"behaviour": "<b>a</b><script>1</script>"}, main_library="H5P.One 1.0", libraries=semantics
    )
    assert params == {"behaviour": "<b>a</b>"}


def test_a_library_without_semantics_gets_no_params():
    params, _ = content_filter(
        {"text": "<script>x</script>"}, main_library="H5P.Tiny 1.0", libraries={"H5P.Tiny 1.0": None}
    )
    assert params == {}


def _sample_parts(path):
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        h5p = json.loads(zf.read("h5p.json"))
        content = json.loads(zf.read("content/content.json"))
        libraries = {}
        for name in names:
            if name.count("/") == 1 and name.endswith("/library.json"):
                meta = json.loads(zf.read(name).decode("utf-8-sig"))
                folder = name.split("/")[0]
                key = f"{meta['machineName']} {meta['majorVersion']}.{meta['minorVersion']}"
                semantics = f"{folder}/semantics.json"
                libraries[key] = json.loads(zf.read(semantics)) if semantics in names else None
    main = next(d for d in h5p["preloadedDependencies"] if d["machineName"] == h5p["mainLibrary"])
    return f"{main['machineName']} {main['majorVersion']}.{main['minorVersion']}", content, libraries


@needs_samples
@pytest.mark.parametrize("path", HUB, ids=lambda p: p.stem)
def test_hub_content_keeps_every_field_it_needs(path):
    main, content, libraries = _sample_parts(path)
    filtered, report = content_filter(content, main_library=main, libraries=libraries)
    # Nothing a real package needs is dropped or replaced; HTML is only re-serialized (rel on links, `;`).
    assert (report.dropped_keys, report.values_fixed) == (0, 0), report
    assert not report.libraries_refused and not report.libraries_unknown
    assert json.dumps(filtered, sort_keys=True).count('"params"') == json.dumps(content, sort_keys=True).count(
        '"params"'
    )
    # Filtering is stable: what was stored passes unchanged the next time.
    again, second = content_filter(filtered, main_library=main, libraries=libraries)
    assert again == filtered and not second.changed
