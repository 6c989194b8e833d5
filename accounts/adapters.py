"""allauth adapters: how accounts' emails and social sign-in behave on this site."""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.contrib import messages
from django.http import Http404

from . import tasks

logger = logging.getLogger(__name__)

EMAIL_DELAYED = (
    "We could not send you the email just now; it will follow within minutes. "
    "If it does not arrive, you can ask for it again."
)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """Send allauth's email (a sign-up confirmation, a password reset) at once, as
        the user waits for it; if the mail server fails, the task worker sends it
        later, retrying as it does the portal's own emails, and the page says so.
        Never a server error, and the account is never left half made."""
        message = self.render_mail(template_prefix, email, context)
        try:
            message.send()
        except tasks.MAIL_ERRORS as error:
            logger.warning(
                "Could not send %s to the mail server, queued: %r", template_prefix, error
            )
            tasks.send_account_email.enqueue(payload=tasks.email_payload(message))
            if self.request is not None:
                messages.warning(self.request, EMAIL_DELAYED)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_app(self, request, provider, client_id=None):
        """The provider's app; 404 rather than a server error while it has no credentials.

        Providers are installed whether or not their client id and secret are set
        (config.settings), so their URLs exist before they are switched on.
        """
        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise Http404("This sign-in method is not available.") from None
