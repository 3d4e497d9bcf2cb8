from django import template

from lms.notifications.selectors import notification_unread_count as unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def notification_unread_count(context) -> int:
    """The bell's number; 0 for visitors."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    return unread_count(user=request.user)
