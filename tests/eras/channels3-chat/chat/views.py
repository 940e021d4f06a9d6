from django.views.generic import TemplateView


class IndexView(TemplateView):
    template_name = 'chat/index.html'


class RoomView(TemplateView):
    # no get_context_data needed: TemplateView puts the URL kwargs
    # (room_name) into the context by itself
    template_name = 'chat/room.html'
