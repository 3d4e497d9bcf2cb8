"""The module page's side of H5P isolation: the signed player URL for this user, this module and this activity."""

from django import template

from content.player import player_url_for

register = template.Library()


@register.simple_tag(takes_context=True)
def h5p_player_url(context, activity, module) -> str:
    """The player URL with a token for the viewer, or "" when the viewer may not open the module.

    Module pages are rendered by lms.views.courses.module_detail only after lms.access.item_access allowed the viewer;
    the viewer's course path it computed is in the context, so the step is checked again here without a query."""
    request = context.get("request")
    path = context.get("path")
    if request is None or module is None or path is None or not request.user.is_authenticated:
        return ""
    step = path.step_for(module.pk)
    if step is None or step.locked:
        return ""
    return player_url_for(request, activity_uuid=activity.uuid, module_id=module.pk)
