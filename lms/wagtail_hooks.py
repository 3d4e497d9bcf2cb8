from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from lms.models import WorkUnit


class WorkUnitViewSet(SnippetViewSet):
    model = WorkUnit
    icon = "group"
    menu_label = "Unit kerja (OPD)"
    add_to_admin_menu = True
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


register_snippet(WorkUnitViewSet)
