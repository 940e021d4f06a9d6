from django.views.generic import TemplateView


class IndexView(TemplateView):
    template_name = "index.html"


class RoomView(TemplateView):
    # TemplateView puts the URL's room_name into the template context.
    template_name = "room.html"

    def get(self, request, *args, **kwargs):
        # A guest's chat name comes from the session key: make sure there is one, so
        # the cookie keeps the same name after a reload or a reconnect.
        if not request.session.session_key:
            request.session.save()
        return super().get(request, *args, **kwargs)
