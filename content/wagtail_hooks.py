from django.contrib import messages
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, ObjectList, Panel
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, SnippetViewSet

from content.forms import H5PActivityForm, H5PLibraryReviewForm
from content.models import H5PActivity, H5PLibrary
from content.player import player_url_for


class H5PSummaryPanel(Panel):
    """Read-only: main content type, library list and a preview of the stored package."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "content/admin/summary_panel.html"

        def is_shown(self) -> bool:
            return bool(self.instance and self.instance.pk)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["activity"] = self.instance
            # Previewed on the player host like every play (module 0: no module); only shown in the admin's
            # edit view, which Wagtail's snippet permissions guard.
            context["preview_url"] = player_url_for(self.request, activity_uuid=self.instance.uuid, module_id=0)
            context["libraries"] = self.instance.libraries.order_by("machine_name") if self.instance.pk else []
            context["notes"] = self.instance.import_notes if self.instance.pk else []
            return context


class H5PActivityCreateView(CreateView):
    """After an upload, the import report (left-out files, outside hosts, filtered content, libraries waiting
    for approval) shows as warnings above the listing."""

    def save_action(self):
        response = super().save_action()
        for note in self.object.import_notes:
            text = f"{note['path']}: {note['message']}" if note.get("path") else note["message"]
            messages.warning(self.request, text)
        return response


class H5PActivityViewSet(SnippetViewSet):
    model = H5PActivity
    icon = "pick"
    menu_label = _("Aktivitas H5P")
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["title", "content_type_label", "uploaded_by", "created_at"]
    search_fields = ["title"]
    add_view_class = H5PActivityCreateView
    edit_handler = ObjectList(
        [FieldPanel("title"), FieldPanel("package"), H5PSummaryPanel(heading=_("Isi paket"))],
        base_form_class=H5PActivityForm,
    )


register_snippet(H5PActivityViewSet)


# --- H5P libraries: administrators review the versions instructors bring ------------------------------------


class H5PLibraryPermissionPolicy(ModelPermissionPolicy):
    """Library versions come only from packages and are never deleted here (activities stay pinned to them):
    "change" is the review; nobody adds, copies or deletes, superusers included."""

    NEVER = frozenset({"add", "copy", "delete"})

    def user_has_permission(self, user, action):
        return action not in self.NEVER and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        allowed = [action for action in actions if action not in self.NEVER]
        return super().users_with_any_permission(allowed) if allowed else get_user_model().objects.none()


register_permission_policy(H5PLibrary, H5PLibraryPermissionPolicy(H5PLibrary))


class H5PLibraryReviewPanel(Panel):
    """Read-only facts for the review: who brought the version, what differs from the approved one, which
    activities wait for it."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "content/admin/library_review_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            library = self.instance
            siblings = H5PLibrary.objects.filter(
                machine_name=library.machine_name,
                major_version=library.major_version,
                minor_version=library.minor_version,
            ).exclude(pk=library.pk)
            approved = siblings.approved().order_by("-patch_version").first()
            context["library"] = library
            context["siblings"] = siblings.select_related("uploaded_by").order_by("-patch_version")
            context["approved"] = approved
            if approved is not None:
                context["files_added"] = sorted(set(library.files) - set(approved.files))
                context["files_removed"] = sorted(set(approved.files) - set(library.files))
                context["bytes_change"] = library.bytes_stored - approved.bytes_stored
            context["activities"] = library.activities.select_related("uploaded_by").order_by("title")
            context["dependencies"] = [
                f"{dep.get('machineName')} {dep.get('majorVersion')}.{dep.get('minorVersion')}"
                for key in ("preloadedDependencies", "dynamicDependencies")
                for dep in library.metadata.get(key, []) or []
                if isinstance(dep, dict)
            ]
            return context


class H5PLibraryViewSet(SnippetViewSet):
    model = H5PLibrary
    icon = "code"
    menu_label = _("Pustaka H5P")
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["__str__", "title", "status", "uploaded_by", "created_at", "reviewed_by"]
    list_filter = ["status"]
    search_fields = ["machine_name", "title"]
    ordering = ["-created_at"]
    edit_handler = ObjectList(
        [FieldPanel("status"), H5PLibraryReviewPanel(heading=_("Tinjauan"))],
        base_form_class=H5PLibraryReviewForm,
    )


register_snippet(H5PLibraryViewSet)
