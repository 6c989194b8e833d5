"""allauth adapters: how social sign-in behaves on this site."""

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.http import Http404


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
