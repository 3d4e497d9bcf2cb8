from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, ObjectList, Panel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from content.forms import H5PActivityForm
from content.models import H5PActivity


class H5PSummaryPanel(Panel):
    """Read-only: main content type, library list and a preview of the stored package."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "content/admin/summary_panel.html"

        def is_shown(self) -> bool:
            return bool(self.instance and self.instance.pk)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["activity"] = self.instance
            context["libraries"] = self.instance.libraries.order_by("machine_name") if self.instance.pk else []
            return context


class H5PActivityViewSet(SnippetViewSet):
    model = H5PActivity
    icon = "pick"
    menu_label = _("Aktivitas H5P")
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["title", "content_type_label", "uploaded_by", "created_at"]
    search_fields = ["title"]
    edit_handler = ObjectList(
        [FieldPanel("title"), FieldPanel("package"), H5PSummaryPanel(heading=_("Isi paket"))],
        base_form_class=H5PActivityForm,
    )


register_snippet(H5PActivityViewSet)
