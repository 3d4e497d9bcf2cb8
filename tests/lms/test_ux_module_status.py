"""The intake's answer carries what the module page needs to update its status card without a reload: the
course progress and the next step, once the module is complete."""

import pytest

from lms.factories import ModulePageFactory
from lms.xapi.parse import VERB_COMPLETED
from tests.conftest import client_for
from tests.h5p_fixtures import media_root_fixture  # noqa: F401 - the media_root fixture
from tests.lms import test_xapi as xapi

# The intake's own fixtures and helpers, shared rather than copied.
_fresh_rate_limits = xapi._fresh_rate_limits
activities = xapi.activities
setup = xapi.setup
opened, post, statement = xapi.opened, xapi.post, xapi.statement

pytestmark = pytest.mark.django_db


def test_when_module_completes_then_answer_has_progress_and_next_step(setup, activities, learner):
    following = ModulePageFactory(parent=setup["course"], title="Modul Lanjutan", slug="modul-lanjutan")
    client = opened(learner, setup)
    module, (first, second) = setup["module"], setup["blocks"]
    reply = post(client, module, first, statement(activities[0], raw=8, max_score=10)).json()
    assert reply["progress_percent"] is None and reply["next_url"] == ""  # not complete yet: nothing extra read
    reply = post(client, module, second, statement(activities[1], verb=VERB_COMPLETED, raw=9, max_score=10)).json()
    assert reply["module_completed"] is True
    assert reply["progress_percent"] == 50  # one of two steps
    assert reply["next_url"].endswith(f"/{following.slug}/") and reply["next_title"] == "Modul Lanjutan"


def test_module_page_has_the_hooks_the_script_updates(setup, learner):
    html = client_for(learner).get(setup["module"].url).content.decode()
    for hook in ('id="module-status"', 'id="module-rule"', 'class="small progress-text"', 'id="step-next"'):
        assert hook in html
