"""Sign-in pages: NIP-or-email login and the one password reset."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy

from lms.auth import login_identifier_normalize, login_success_record
from lms.forms import LoginForm, PasswordResetRequestForm


class LoginView(auth_views.LoginView):
    template_name = "lms/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    """Siger's one password reset (the admin's redirects here): NIP or email, throttled like the login."""

    template_name = "lms/password_reset_form.html"
    form_class = PasswordResetRequestForm
    email_template_name = "lms/password_reset_email.txt"
    subject_template_name = "lms/password_reset_subject.txt"
    success_url = reverse_lazy("lms:password_reset_done")

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        # Links point at SIGER_BASE_URL, never at the Host header a request happened to carry (the player's host
        # is in ALLOWED_HOSTS too). Django's view passes neither domain_override nor use_https to save(): this
        # does, and then only redirects.
        base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
        form.save(
            domain_override=base.netloc,
            use_https=base.scheme == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            html_email_template_name=self.html_email_template_name,
            extra_email_context={"site_name": settings.WAGTAIL_SITE_NAME},
        )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "lms/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "lms/password_reset_confirm.html"
    success_url = reverse_lazy("lms:password_reset_complete")

    def form_valid(self, form):
        # The owner proved they hold the account's email: a lock an attacker left on it no longer applies.
        login_success_record(f"user:{self.user.pk}")  # the bucket login_account_key() gives its NIP and email
        for identifier in (self.user.nip, self.user.email):
            if identifier:
                login_success_record(login_identifier_normalize(identifier))
        return super().form_valid(form)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "lms/password_reset_complete.html"
