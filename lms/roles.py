"""Roles map to Django groups, so that Wagtail's own permission system governs the admin.

Instructors hold no page permission at the tree root: each course has its own group ("Pengajar pelatihan #<pk>")
with add/change/publish on that course's subtree, whose members are exactly the course's instructors. So an
instructor cannot open another course in the admin, let alone add themselves to its instructors. Courses are
created by administrators (who assign the instructors); instructors hold nothing on the catalogue page. Nobody
but administrators deletes pages (deletion is guarded separately)."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.dispatch import receiver
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page
from wagtail.signals import page_published

from lms.models import CoursePage, Role, User

GROUP_NAMES = {Role.INSTRUCTOR: "Widyaiswara", Role.ADMINISTRATOR: "Administrator"}
COURSE_GROUP_PREFIX = "Pengajar pelatihan #"

# Granted at the root, so only to administrators; instructors get COURSE_PAGE_PERMS on their own courses.
_ROOT_PAGE_PERMS = {
    Role.ADMINISTRATOR: ["add_page", "change_page", "publish_page", "delete_page", "lock_page", "unlock_page"],
}
COURSE_PAGE_PERMS = ["add_page", "change_page", "publish_page"]
_MODEL_PERMS = {
    Role.INSTRUCTOR: [
        "wagtailadmin.access_admin",
        # "change" covers every activity in Wagtail's snippet views: the before_edit_snippet hook
        # (lms.wagtail_hooks) narrows it to the instructor who uploaded the activity.
        "content.add_h5pactivity",
        "content.change_h5pactivity",
        "content.view_h5pactivity",
    ],
    Role.ADMINISTRATOR: [
        "wagtailadmin.access_admin",
        "content.add_h5pactivity",
        "content.change_h5pactivity",
        "content.delete_h5pactivity",
        "content.view_h5pactivity",
        # Reviewing H5P library versions: approving is "change"; their uploads are approved at once.
        "content.view_h5plibrary",
        "content.change_h5plibrary",
        "lms.add_user",
        "lms.change_user",
        "lms.view_user",
        "lms.add_certificateprogrammesettings",
        "lms.change_certificateprogrammesettings",
        "lms.view_certificateprogrammesettings",
        "lms.add_workunit",
        "lms.change_workunit",
        "lms.view_workunit",
    ],
}
# Wagtail's collection ownership policy: "add" alone lets a person edit only what they uploaded; "change" lets
# them edit everybody's images and documents. Instructors get the first, administrators the second.
_COLLECTION_PERMS = {
    Role.INSTRUCTOR: ["add_image", "choose_image", "add_document", "choose_document"],
    Role.ADMINISTRATOR: [
        "add_image",
        "change_image",
        "choose_image",
        "add_document",
        "change_document",
        "choose_document",
    ],
}


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _collection_permission(codename: str) -> Permission:
    app = "wagtailimages" if codename.endswith("image") else "wagtaildocs"
    return _permission(f"{app}.{codename}")


@transaction.atomic
def roles_ensure_groups() -> dict[str, Group]:
    """Create the role groups with exactly their permissions (idempotent); removes grants earlier versions made,
    such as the instructors' page permissions at the tree root."""
    groups = {}
    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    for role, name in GROUP_NAMES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([_permission(p) for p in _MODEL_PERMS[role]])
        wanted_pages = {_permission(f"wagtailcore.{c}").pk for c in _ROOT_PAGE_PERMS.get(role, [])}
        GroupPagePermission.objects.filter(group=group).exclude(page=root_page, permission_id__in=wanted_pages).delete()
        if root_page is not None:
            for permission_id in wanted_pages:
                GroupPagePermission.objects.get_or_create(group=group, page=root_page, permission_id=permission_id)
        wanted_collections = {_collection_permission(c).pk for c in _COLLECTION_PERMS[role]}
        GroupCollectionPermission.objects.filter(group=group).exclude(
            collection=root_collection, permission_id__in=wanted_collections
        ).delete()
        if root_collection is not None:
            for permission_id in wanted_collections:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission_id=permission_id
                )
        groups[role] = group
    return groups


def course_group_name(course_id: int) -> str:
    return f"{COURSE_GROUP_PREFIX}{course_id}"


@transaction.atomic
def course_instructors_sync(*, course: CoursePage) -> Group:
    """Give the course's instructors (its published instructor list) add/change/publish on its subtree, and take
    them from anyone no longer on the list. Called after a course page is created, edited or published."""
    group, _ = Group.objects.get_or_create(name=course_group_name(course.pk))
    wanted = {_permission(f"wagtailcore.{c}").pk for c in COURSE_PAGE_PERMS}
    GroupPagePermission.objects.filter(group=group).exclude(page_id=course.pk, permission_id__in=wanted).delete()
    for permission_id in wanted:
        GroupPagePermission.objects.get_or_create(group=group, page_id=course.pk, permission_id=permission_id)
    # Read from the database, not the in-memory page: what counts is the live course, as lms.access reads it.
    through = CoursePage.instructors.through
    instructor_ids = through.objects.filter(coursepage_id=course.pk).values_list("user_id", flat=True)
    group.user_set.set(User.objects.filter(pk__in=instructor_ids, role=Role.INSTRUCTOR))
    return group


@receiver(page_published, sender=CoursePage)
def _course_published(sender, instance: CoursePage, **kwargs) -> None:
    # Publishing is when the instructor list of the live course changes, from the admin's edit form, a scheduled
    # publish or code (demo, tests): the page_published signal is the one place all of them pass. Wagtail's
    # after_edit_page/after_publish_page hooks run for the admin's views only.
    course_instructors_sync(course=instance)


@transaction.atomic
def course_instructors_sync_all() -> None:
    """Every course's group brought in line with its instructors; groups of deleted courses removed."""
    course_ids = set(CoursePage.objects.values_list("pk", flat=True))
    for group in Group.objects.filter(name__startswith=COURSE_GROUP_PREFIX):
        suffix = group.name.removeprefix(COURSE_GROUP_PREFIX)
        if not suffix.isdecimal() or int(suffix) not in course_ids:
            group.delete()
    for course in CoursePage.objects.all():
        course_instructors_sync(course=course)


@transaction.atomic
def user_set_role(*, user: User, role: str) -> User:
    """Give a user a role and exactly the group that goes with it; course groups follow (an instructor who
    becomes a learner keeps no page permission on the courses that still name them)."""
    groups = roles_ensure_groups()
    user.role = role
    user.is_staff = role == Role.ADMINISTRATOR
    user.save(update_fields=["role", "is_staff"])
    user.groups.remove(*groups.values())
    if role in groups:
        user.groups.add(groups[role])
    course_groups = Group.objects.filter(name__startswith=COURSE_GROUP_PREFIX)
    user.groups.remove(*course_groups)
    if role == Role.INSTRUCTOR:
        taught = CoursePage.instructors.through.objects.filter(user_id=user.pk).values_list("coursepage_id", flat=True)
        user.groups.add(*course_groups.filter(name__in=[course_group_name(pk) for pk in taught]))
    return user
