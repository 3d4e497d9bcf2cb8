"""Roles map to Django groups, so that Wagtail's own permission system governs the admin."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

from lms.models import Role, User

GROUP_NAMES = {Role.INSTRUCTOR: "Widyaiswara", Role.ADMINISTRATOR: "Administrator"}

_PAGE_PERMS = {
    Role.INSTRUCTOR: ["add_page", "change_page", "publish_page"],
    Role.ADMINISTRATOR: ["add_page", "change_page", "publish_page", "delete_page", "lock_page", "unlock_page"],
}
_MODEL_PERMS = {
    Role.INSTRUCTOR: [
        "wagtailadmin.access_admin",
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
        "lms.add_user",
        "lms.change_user",
        "lms.view_user",
        "lms.add_workunit",
        "lms.change_workunit",
        "lms.view_workunit",
    ],
}
_COLLECTION_PERMS = ["add_image", "change_image", "choose_image", "add_document", "change_document", "choose_document"]


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def roles_ensure_groups() -> dict[str, Group]:
    """Create or update the groups behind the instructor and administrator roles (idempotent)."""
    groups = {}
    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    for role, name in GROUP_NAMES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*[_permission(p) for p in _MODEL_PERMS[role]])
        if root_page is not None:
            for codename in _PAGE_PERMS[role]:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=root_page, permission=_permission(f"wagtailcore.{codename}")
                )
        if root_collection is not None:
            for codename in _COLLECTION_PERMS:
                app = "wagtailimages" if codename.endswith("image") else "wagtaildocs"
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=_permission(f"{app}.{codename}")
                )
        groups[role] = group
    return groups


@transaction.atomic
def user_set_role(*, user: User, role: str) -> User:
    """Give a user a role and exactly the group that goes with it."""
    groups = roles_ensure_groups()
    user.role = role
    user.is_staff = role == Role.ADMINISTRATOR
    user.save(update_fields=["role", "is_staff"])
    user.groups.remove(*groups.values())
    if role in groups:
        user.groups.add(groups[role])
    return user
