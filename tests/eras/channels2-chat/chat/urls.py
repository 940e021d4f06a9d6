from django.conf.urls import url

from chat import views

urlpatterns = [
    url(r'^$', views.lobby, name='lobby'),
    url(r'^(?P<room>[^/]+)/$', views.room, name='room'),
]
