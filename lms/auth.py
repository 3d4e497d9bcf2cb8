"""Log in with NIP (any spacing) or email."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from lms.nip import nip_normalize


class NipOrEmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        identifier = (username or kwargs.get("nip") or "").strip()
        if not identifier or password is None:
            return None
        user_model = get_user_model()
        query = Q(email__iexact=identifier) if "@" in identifier else Q(nip=nip_normalize(identifier))
        user = user_model.objects.filter(query).order_by("pk").first()
        if user is None:
            # Spend the same time as a real check, so that timing does not reveal which NIPs exist.
            user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
