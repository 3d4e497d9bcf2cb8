"""May this user post xAPI statements to this placed activity? Answered by lms.access, remembered for a minute.

An H5P activity posts a statement per click, and answering afresh costs seven queries (module, course,
enrollment, course path, progress, activity...), more than storing the statement. So an allowed answer is kept in
the default cache (Redis in production, shared by every process) for GRANT_SECONDS, checked against a version of
its module that publishing, unpublishing, saving, moving or deleting the module or a page above it replaces: a
new pass mark, or an unpublished module, applies to the next statement in every process.

Other revocations (an enrollment withdrawn, progress reset so that the module locks again, an instructor taken off
the course) reach the intake within GRANT_SECONDS; completion still reads the enrollment afresh. Refusals are never
cached: a learner who has just enrolled or unlocked the module may post at once.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from enum import Enum

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from content.models import H5PActivity
from lms.access import ItemAccess, item_access
from lms.models import CoursePage, ModulePage, User
from lms.selectors import enrollment_get
from lms.xapi.intake import Placement, placement_get

GRANT_SECONDS = 60
MAX_ID = 2**63 - 1
VERSION_SECONDS = 24 * 3600
# Only the columns the check reads (the rest load on access): page rows are wide.
HOT_FIELDS = ("id", "path", "depth", "live", "last_published_at", "title", "url_path")


class XAPIDenial(Enum):
    LOGIN_REQUIRED = "login_required"
    MODULE_NOT_FOUND = "module_not_found"
    FORBIDDEN = "forbidden"
    BLOCK_NOT_FOUND = "block_not_found"


@dataclass(frozen=True)
class XAPIGrant:
    placement: Placement
    enrollment_id: int | None


def _version_key(module_id: int) -> str:
    return f"xapi:grants-version:{module_id}"


def _grant_key(user_id: int, module_id: int, block_id: str) -> str:
    # Hashed: the block id comes from the URL, and some cache backends refuse long keys or odd characters.
    block = hashlib.blake2b(block_id.encode(), digest_size=16).hexdigest()
    return f"xapi:grant:{user_id}:{module_id}:{block}"


def _grant_check(*, user: User, module_id: int, block_id: str) -> XAPIGrant | XAPIDenial:
    module = ModulePage.objects.live().filter(pk=module_id).only(*HOT_FIELDS, "completion_rule", "body").first()
    if module is None:
        return XAPIDenial.MODULE_NOT_FOUND
    # The parent by tree path: one query instead of get_parent().specific's two.
    course = CoursePage.objects.filter(path=module.path[: -ModulePage.steplen]).only(*HOT_FIELDS, "sequential").first()
    verdict, path = item_access(user, module, course=course) if course else (None, None)
    if verdict is not ItemAccess.ALLOWED:
        return XAPIDenial.FORBIDDEN
    placement = placement_get(module=module, block_id=block_id)
    if placement is None:
        return XAPIDenial.BLOCK_NOT_FOUND
    enrollment = path.enrollment if path is not None else enrollment_get(user=user, course=course)
    return XAPIGrant(placement=placement, enrollment_id=enrollment.pk if enrollment else None)


def xapi_grant_get(*, user: User, module_id: int, block_id: str) -> XAPIGrant | XAPIDenial:
    """The placement and enrollment a statement is stored with, or why the user may not post it."""
    if not user.is_authenticated:
        return XAPIDenial.LOGIN_REQUIRED
    if module_id > MAX_ID:  # SQLite cannot even compare it with its integer column
        return XAPIDenial.MODULE_NOT_FOUND
    grant_key, version_key = _grant_key(user.pk, module_id, block_id), _version_key(module_id)
    found = cache.get_many([grant_key, version_key])
    version, kept = found.get(version_key), found.get(grant_key)
    if kept is not None and version is not None and kept[0] == version:
        _version, activity_id, activity_uuid, required, pass_mark, enrollment_id = kept
        activity = H5PActivity(pk=activity_id, uuid=activity_uuid)  # all that the intake reads of it
        return XAPIGrant(Placement(module_id, block_id, activity, required, pass_mark), enrollment_id)
    # The version is read before the pages: a publication committed after this read replaces it, so what is
    # cached below is then never used.
    if version is None:
        version = uuid.uuid4().hex
        cache.add(version_key, version, timeout=VERSION_SECONDS)  # another process's wins; ours then just misses
    checked = _grant_check(user=user, module_id=module_id, block_id=block_id)
    if isinstance(checked, XAPIGrant):
        placement = checked.placement
        kept = (version, placement.activity.pk, placement.activity.uuid, placement.required, placement.pass_mark)
        cache.set(grant_key, (*kept, checked.enrollment_id), timeout=GRANT_SECONDS)
    return checked


def xapi_grants_expire(*, page: Page, descendants: bool = True) -> None:
    """Make the cached grants of this page (and the modules below it) unusable, in every process."""
    pks = [page.pk]
    if descendants and page.numchild:
        pks = list(Page.objects.descendant_of(page, inclusive=True).values_list("pk", flat=True))

    def replace() -> None:
        cache.set_many({_version_key(pk): uuid.uuid4().hex for pk in pks}, timeout=VERSION_SECONDS)

    # Now, and again once committed: a check running between the two could read the page as it was before.
    replace()
    transaction.on_commit(replace)


@receiver(page_published, dispatch_uid="lms.xapi.grants.published")
@receiver(page_unpublished, dispatch_uid="lms.xapi.grants.unpublished")
@receiver(post_page_move, dispatch_uid="lms.xapi.grants.moved")
# Saved without publishing (a script, a fixture): the live row changed all the same.
@receiver(post_save, sender=ModulePage, dispatch_uid="lms.xapi.grants.module_saved")
@receiver(post_save, sender=CoursePage, dispatch_uid="lms.xapi.grants.course_saved")
def _page_changed(sender, instance: Page, **kwargs) -> None:
    xapi_grants_expire(page=instance)


@receiver(pre_delete, sender=Page, dispatch_uid="lms.xapi.grants.deleted")
def _page_deleted(sender, instance: Page, **kwargs) -> None:
    # Deleting a page sends this for each page below it too.
    xapi_grants_expire(page=instance, descendants=False)
