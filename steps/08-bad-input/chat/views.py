from django.views.generic import TemplateView


class IndexView(TemplateView):
    template_name = "index.html"


class RoomView(TemplateView):
    # TemplateView puts the URL's room_name into the template context.
    template_name = "room.html"
