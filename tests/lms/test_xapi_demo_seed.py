"""seed_demo --h5p-dir: working H5P activities in the demo course, a clear placeholder without packages."""

import pytest
from django.core.management import call_command

from content.models import H5PActivity
from lms.demo import H5P_MODULE_SLUG
from lms.models import CompletionRule, ModulePage
from tests.h5p_fixtures import (
    SAMPLES,
    media_root_fixture,  # noqa: F401 - the media_root fixture
    needs_samples,
)

pytestmark = pytest.mark.django_db


def _module() -> ModulePage:
    return ModulePage.objects.get(slug=H5P_MODULE_SLUG)


def test_without_packages_the_demo_module_holds_a_placeholder(media_root, capsys):
    call_command("seed_demo")
    module = _module()
    assert module.completion_rule == CompletionRule.MARKED_DONE
    assert "--h5p-dir" in str(module.body[0].value["text"])
    assert "petunjuk" in capsys.readouterr().out


@needs_samples
def test_with_packages_the_demo_module_carries_three_required_activities_idempotently(media_root):
    call_command("seed_demo")
    call_command("seed_demo", "--h5p-dir", str(SAMPLES / "hub"))
    call_command("seed_demo", "--h5p-dir", str(SAMPLES / "hub"))
    module = _module()
    assert module.completion_rule == CompletionRule.ACTIVITIES_PASSED
    blocks = module.required_activity_blocks()
    names = [block.value["activity"].main_library.machine_name for block in blocks]
    assert names == ["H5P.MultiChoice", "H5P.TrueFalse", "H5P.QuestionSet"]
    assert H5PActivity.objects.count() == 3
    assert ModulePage.objects.filter(slug=H5P_MODULE_SLUG).count() == 1
