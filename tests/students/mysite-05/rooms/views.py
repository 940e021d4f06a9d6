from django.shortcuts import render


def index(request):
    return render(request, 'rooms/index.html')


def room(request, room_name):
    return render(request, 'rooms/room.html', {'room_name': room_name})
