from django.views.generic import TemplateView

from chat.consumers import guest_name


class IndexView(TemplateView):
    template_name = "index.html"


class RoomView(TemplateView):
    # TemplateView puts the URL's room_name into the template context.
    template_name = "room.html"

    def get(self, request, *args, **kwargs):
        # A guest's chat name comes from the session key, so the browser needs a live
        # session: a new one when it has no cookie, or its cookie names a session that
        # has expired. The cookie then keeps the name over reloads and reconnects.
        if not request.session.exists(request.session.session_key):
            request.session.create()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        # The name this browser speaks under, as the consumer will give it: the page
        # marks its own messages with it.
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.is_authenticated:
            context["user_name"] = user.username
        else:
            context["user_name"] = guest_name(self.request.session.session_key)
        return context
