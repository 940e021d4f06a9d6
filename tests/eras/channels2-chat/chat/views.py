from django.shortcuts import render


def lobby(request):
    return render(request, 'chat/lobby.html')


def room(request, room):
    # the name goes to the page through json_script, the js reads it from there
    return render(request, 'chat/room.html', {'room': room})
