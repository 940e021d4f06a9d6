"""Every sentence the checker says, in Russian (the course's language) and English.

A check fails with a key; `KEY` is the message (what was expected, what came instead) and
`KEY.hint` the usual cause. Keys named `hint-*` are causes found by diagnose.py from an
exception. Placeholders are filled with str.format.
"""

from __future__ import annotations

import os

TEXTS: dict[str, dict[str, str]] = {
    # --- the project as a whole -------------------------------------------------------
    "load-failed": {
        "ru": "Проект не импортируется ({what}).\nошибка: {error}\nгде: {where}",
        "en": "The project does not import ({what}).\nerror: {error}\nwhere: {where}",
    },
    "app-crashed": {
        "ru": "Потребитель упал с исключением.\nошибка: {error}\nгде: {where}",
        "en": "The consumer crashed.\nerror: {error}\nwhere: {where}",
    },
    "unexpected": {
        "ru": "Проверка прервалась на исключении из кода проекта.\nошибка: {error}\nгде: {where}",
        "en": "The check stopped on an exception from the project's code.\nerror: {error}\nwhere: {where}",
    },
    "timeout": {
        "ru": "Проверка не закончилась за {seconds} с: проект завис.",
        "en": "The check did not finish in {seconds} s: the project hangs.",
    },
    "timeout.hint": {
        "ru": "Обычно это бесконечный цикл или ожидание, которое никогда не кончится (time.sleep, "
        "await без тайм-аута) в connect(), receive() или во view.",
        "en": "Usually an endless loop or a wait that never ends (time.sleep, an await with no "
        "time-out) in connect(), receive() or a view.",
    },
    "probe-timeout": {
        "ru": "Проект не ответил за {seconds} с, процесс остановлен.\nпоследний вывод:\n{tail}",
        "en": "The project did not answer in {seconds} s; its process was stopped.\nlast output:\n{tail}",
    },
    "probe-timeout.hint": {
        "ru": "Что-то в проекте блокирует поток намертво (например, time.sleep в синхронном "
        "потребителе или бесконечный цикл при импорте).",
        "en": "Something in the project blocks a thread for good (time.sleep in a sync "
        "consumer, an endless loop at import time).",
    },
    "probe-crashed": {
        "ru": "Процесс с проектом завершился, не дав ответа.\nпоследний вывод:\n{tail}",
        "en": "The project's process ended without an answer.\nlast output:\n{tail}",
    },
    "probe-crashed.hint": {
        "ru": "Проект вызывает sys.exit() или os._exit() при импорте, либо интерпретатор упал.",
        "en": "The project calls sys.exit() or os._exit() at import, or the interpreter crashed.",
    },
    "skip-after-load": {
        "ru": "пропущено: проект не загрузился (см. project-loads)",
        "en": "skipped: the project did not load (see project-loads)",
    },
    "skip-after-hang": {
        "ru": "пропущено: проект завис на предыдущей проверке",
        "en": "skipped: the project hung in an earlier check",
    },
    "skip-after-crash": {
        "ru": "пропущено: процесс проекта завершился раньше",
        "en": "skipped: the project's process ended earlier",
    },
    # --- HTTP pages ---------------------------------------------------------------------
    "http-crashed": {
        "ru": "GET {path} упал с исключением.\nошибка: {error}\nгде: {where}",
        "en": "GET {path} raised an exception.\nerror: {error}\nwhere: {where}",
    },
    "http-bad-host": {
        "ru": "GET {path}: ответ 400, Django отверг заголовок Host: {host}.",
        "en": "GET {path}: 400, Django refused the Host header {host}.",
    },
    "http-bad-host.hint": {
        "ru": "Проверьте ALLOWED_HOSTS: при DEBUG = False пустой список не пускает никого.",
        "en": "Check ALLOWED_HOSTS: with DEBUG = False an empty list lets nobody in.",
    },
    "http-404": {
        "ru": "GET {path}\nожидалось: {expected}\nполучено: 404 (нет такого адреса)",
        "en": "GET {path}\nexpected: {expected}\nreceived: 404 (no such path)",
    },
    "http-404.hint": {
        "ru": "Адрес не подключён: в urls.py проекта нужен path(\"chat/\", include(\"chat.urls\")), "
        "а в chat/urls.py — маршрут \"\" для списка комнат (и, с шага 03, \"<str:room_name>/\" "
        "для комнаты).",
        "en": "The path is not routed: the project's urls.py needs path(\"chat/\", "
        "include(\"chat.urls\")), and chat/urls.py the route \"\" for the room chooser (and, "
        "from step 03, \"<str:room_name>/\" for a room).",
    },
    "http-status": {
        "ru": "GET {path}\nожидалось: {expected}\nполучено: {received}",
        "en": "GET {path}\nexpected: {expected}\nreceived: {received}",
    },
    "index-no-input": {
        "ru": "GET {path} отвечает 200, но на странице нет поля <input id=\"room-name-input\">.",
        "en": "GET {path} answers 200 but the page has no <input id=\"room-name-input\">.",
    },
    "index-no-input.hint": {
        "ru": "Страница выбора комнаты — это шаблон index.html с полем room-name-input и кнопкой; "
        "проверьте, что view отдаёт именно его.",
        "en": "The room chooser is the index.html template with the room-name-input field and a "
        "button; check that the view renders that template.",
    },
    "not-404": {
        "ru": "GET {path}\nожидалось: 404\nполучено: {received}",
        "en": "GET {path}\nexpected: 404\nreceived: {received}",
    },
    "not-404.hint": {
        "ru": "Какой-то маршрут ловит любой адрес (например, path(\"<str:x>/\") в urls.py проекта). "
        "Комнаты должны жить под /chat/.",
        "en": "A route catches every path (say path(\"<str:x>/\") in the project's urls.py). "
        "Rooms belong under /chat/.",
    },
    "room-no-json-script": {
        "ru": "На странице {path} нет <script id=\"room-name\" type=\"application/json\">.\n"
        "найдены json_script с id: {ids}",
        "en": "The page {path} has no <script id=\"room-name\" type=\"application/json\">.\n"
        "json_script elements found: {ids}",
    },
    "room-no-json-script.hint": {
        "ru": "В room.html нужен {{{{ room_name|json_script:\"room-name\" }}}}: так JavaScript "
        "безопасно получает имя комнаты.",
        "en": "room.html needs {{{{ room_name|json_script:\"room-name\" }}}}: that is how the "
        "JavaScript gets the room name safely.",
    },
    "room-json-invalid": {
        "ru": "Содержимое <script id=\"room-name\"> на {path} — не JSON: {content}",
        "en": "The content of <script id=\"room-name\"> on {path} is not JSON: {content}",
    },
    "room-json-invalid.hint": {
        "ru": "Не пишите тег вручную: фильтр json_script сам кодирует значение в JSON.",
        "en": "Do not write the tag by hand: the json_script filter encodes the value as JSON.",
    },
    "room-name-wrong": {
        "ru": "GET {path}: json_script \"room-name\"\nожидалось: \"{expected}\"\nполучено: {received}",
        "en": "GET {path}: json_script \"room-name\"\nexpected: \"{expected}\"\nreceived: {received}",
    },
    "room-name-wrong.hint": {
        "ru": "В шаблон должно попасть имя из адреса: переменная room_name, как её называет "
        "маршрут \"<str:room_name>/\" (TemplateView кладёт её в контекст сам).",
        "en": "The template must get the name from the URL: the room_name variable, as the route "
        "\"<str:room_name>/\" names it (TemplateView puts it in the context).",
    },
    "room-not-escaped": {
        "ru": "Имя комнаты {room} попало в HTML как есть: это готовая XSS-уязвимость.",
        "en": "The room name {room} went into the HTML as it is: a ready-made XSS hole.",
    },
    "room-not-escaped.hint": {
        "ru": "Не вставляйте room_name в <script> через |safe или вручную; используйте "
        "json_script и JSON.parse(...textContent).",
        "en": "Do not put room_name into a <script> with |safe or by hand; use json_script and "
        "JSON.parse(...textContent).",
    },
    "room-escaped-wrong": {
        "ru": "Имя {room} экранировано, но json_script \"room-name\" вернул {received}.",
        "en": "The name {room} is escaped, but json_script \"room-name\" gave back {received}.",
    },
    # --- ASGI and Daphne ----------------------------------------------------------------
    "asgi-not-set": {
        "ru": "В settings.py нет ASGI_APPLICATION.",
        "en": "settings.py has no ASGI_APPLICATION.",
    },
    "asgi-not-set.hint": {
        "ru": "Добавьте ASGI_APPLICATION = \"<пакет проекта>.asgi.application\": по нему Daphne "
        "находит приложение.",
        "en": "Add ASGI_APPLICATION = \"<project package>.asgi.application\": Daphne finds the "
        "application through it.",
    },
    "asgi-not-router": {
        "ru": "{path}\nожидалось: ProtocolTypeRouter\nполучено: {received}",
        "en": "{path}\nexpected: ProtocolTypeRouter\nreceived: {received}",
    },
    "asgi-not-router.hint": {
        "ru": "В asgi.py оберните get_asgi_application() в ProtocolTypeRouter({\"http\": ...}): "
        "так у каждого протокола будет своё приложение.",
        "en": "In asgi.py wrap get_asgi_application() in ProtocolTypeRouter({\"http\": ...}), so "
        "that each protocol gets its own application.",
    },
    "asgi-no-http": {
        "ru": "ProtocolTypeRouter не обслуживает http (есть только: {protocols}).",
        "en": "The ProtocolTypeRouter does not serve http (only: {protocols}).",
    },
    "asgi-no-http.hint": {
        "ru": "Без ключа \"http\" сервер не отдаст ни одной страницы: добавьте "
        "\"http\": get_asgi_application().",
        "en": "Without an \"http\" key the server serves no page: add "
        "\"http\": get_asgi_application().",
    },
    "daphne-missing": {
        "ru": "\"daphne\" нет в INSTALLED_APPS: runserver — обычный Django ({owner}), WebSocket он "
        "не обслуживает.\nожидалось: Starting ASGI/Daphne version 4.x development server\n"
        "получено: Starting development server",
        "en": "\"daphne\" is not in INSTALLED_APPS: runserver is plain Django's ({owner}) and "
        "serves no WebSocket.\nexpected: Starting ASGI/Daphne version 4.x development server\n"
        "received: Starting development server",
    },
    "daphne-missing.hint": {
        "ru": "С Channels 4 Daphne ставится отдельно (pip install \"channels[daphne]\") и "
        "добавляется первой строкой INSTALLED_APPS. Страницы при этом работают и без неё — "
        "ошибка видна только по баннеру runserver и по 404 на сокете.",
        "en": "Since Channels 4, Daphne is installed apart (pip install \"channels[daphne]\") and "
        "added as the first entry of INSTALLED_APPS. Pages work without it: only the runserver "
        "banner and a 404 on the socket show the mistake.",
    },
    "daphne-not-first": {
        "ru": "\"daphne\" стоит в INSTALLED_APPS на месте {position}, и runserver берётся из "
        "\"{owner}\".",
        "en": "\"daphne\" is number {position} in INSTALLED_APPS, so runserver comes from "
        "\"{owner}\".",
    },
    "daphne-not-first.hint": {
        "ru": "Команду runserver берёт первое приложение, где она есть; django.contrib.staticfiles "
        "тоже её определяет. Поставьте \"daphne\" первой строкой.",
        "en": "runserver comes from the first app that has it; django.contrib.staticfiles has one "
        "too. Put \"daphne\" first.",
    },
    # --- one WebSocket ------------------------------------------------------------------
    "ws-connect-hangs": {
        "ru": "CONNECT {path}: за {seconds} с сервер не принял и не отклонил соединение.",
        "en": "CONNECT {path}: in {seconds} s the server neither accepted nor refused.",
    },
    "ws-connect-hangs.hint": {
        "ru": "Чаще всего connect() просто не вызывает self.accept() (в асинхронном — await "
        "self.accept()): тогда рукопожатие остаётся без ответа, а браузер ждёт, пока сервер не "
        "оборвёт его. Реже connect() ждёт чего-то бесконечно: цикл, sleep.",
        "en": "Most often connect() simply never calls self.accept() (await self.accept() when "
        "async): the handshake stays unanswered and the browser waits until the server drops "
        "it. Less often connect() waits for something forever: a loop, a sleep.",
    },
    "ws-no-route": {
        "ru": "CONNECT {path}: маршрута нет (ValueError: No route found).\nмаршруты WebSocket: {routes}",
        "en": "CONNECT {path}: no route (ValueError: No route found).\nWebSocket routes: {routes}",
    },
    "ws-no-route.hint": {
        "ru": "В routing.py путь пишется без ведущего слэша: path(\"ws/chat/<str:room_name>/\", "
        "ChatConsumer.as_asgi()). URLRouter сам отрезает \"/\" в начале адреса.",
        "en": "In routing.py the path has no leading slash: path(\"ws/chat/<str:room_name>/\", "
        "ChatConsumer.as_asgi()). URLRouter strips the \"/\" at the start itself.",
    },
    "ws-no-as-asgi": {
        "ru": "В routing.py класс {consumer} указан без .as_asgi(): ASGI ждёт приложение, а получает "
        "класс (TypeError: ... can't be used in 'await' expression).",
        "en": "routing.py names the class {consumer} without .as_asgi(): ASGI expects an application "
        "and gets a class (TypeError: ... can't be used in 'await' expression).",
    },
    "ws-no-as-asgi.hint": {
        "ru": "Пишите {consumer}.as_asgi() — как as_view() у представлений: он создаёт по экземпляру "
        "потребителя на каждое соединение.",
        "en": "Write {consumer}.as_asgi(), like as_view() for views: it makes one consumer instance "
        "per connection.",
    },
    "asgi-path-missing": {
        "ru": "ASGI_APPLICATION = \"{path}\", но модуля {module} нет.\nошибка: {error}",
        "en": "ASGI_APPLICATION = \"{path}\", but there is no module {module}.\nerror: {error}",
    },
    "asgi-path-missing.hint": {
        "ru": "Пакет вашего проекта — {package} (так говорит DJANGO_SETTINGS_MODULE): скорее всего "
        "нужно \"{package}.asgi.application\". Команда manage.py check такую ошибку не видит.",
        "en": "Your project's package is {package} (so says DJANGO_SETTINGS_MODULE): most likely "
        "\"{package}.asgi.application\". manage.py check does not see this mistake.",
    },
    "ws-no-protocol": {
        "ru": "ProtocolTypeRouter не знает протокола websocket: соединение некому принять.",
        "en": "The ProtocolTypeRouter has no websocket protocol: nobody takes the connection.",
    },
    "ws-no-protocol.hint": {
        "ru": "Добавьте в ProtocolTypeRouter в asgi.py ключ \"websocket\": "
        "AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))).",
        "en": "Add the key \"websocket\": AllowedHostsOriginValidator(AuthMiddlewareStack("
        "URLRouter(websocket_urlpatterns))) to the ProtocolTypeRouter in asgi.py.",
    },
    "ws-origin-refused": {
        "ru": "CONNECT с Origin {origin} отклонён (код {code}) проверкой Origin.",
        "en": "CONNECT with Origin {origin} was refused (code {code}) by the Origin check.",
    },
    "ws-origin-refused.hint": {
        "ru": "AllowedHostsOriginValidator пускает только хосты из ALLOWED_HOSTS (при DEBUG и "
        "пустом списке — localhost и 127.0.0.1). Список читается при импорте asgi.py.",
        "en": "AllowedHostsOriginValidator lets in only hosts in ALLOWED_HOSTS (with DEBUG and an "
        "empty list: localhost and 127.0.0.1). The list is read when asgi.py is imported.",
    },
    "ws-refused": {
        "ru": "CONNECT {path}\nожидалось: соединение принято\nполучено: закрыто с кодом {code}",
        "en": "CONNECT {path}\nexpected: accepted\nreceived: closed with code {code}",
    },
    "ws-refused.hint": {
        "ru": "В connect() потребителя нужен self.accept() (в асинхронном — await self.accept()); "
        "без него рукопожатие отклоняется.",
        "en": "The consumer's connect() must call self.accept() (await self.accept() when async); "
        "without it the handshake is refused.",
    },
    "ws-closed": {
        "ru": "Сервер закрыл сокет {name} с кодом {code}, не ответив.",
        "en": "The server closed {name}'s socket with code {code} instead of answering.",
    },
    "ws-closed.hint": {
        "ru": "Потребитель вызывает self.close() или падает в receive(); загляните в консоль runserver.",
        "en": "The consumer calls self.close() or crashes in receive(); look at the runserver console.",
    },
    "ws-disconnect-hangs": {
        "ru": "disconnect() не закончился за {seconds} с.",
        "en": "disconnect() did not finish in {seconds} s.",
    },
    "ws-no-reply": {
        "ru": "{name} отправил {sent}\nожидалось: ответ {sent}\nполучено: ничего за 2 с",
        "en": "{name} sent {sent}\nexpected: the reply {sent}\nreceived: nothing in 2 s",
    },
    "ws-no-reply.hint": {
        "ru": "receive() должен разобрать JSON и отправить {{\"message\": ...}} обратно "
        "(self.send(text_data=json.dumps(...))) или в группу (group_send с \"type\", который "
        "совпадает с именем метода: \"chat.message\" → chat_message).",
        "en": "receive() must parse the JSON and send {{\"message\": ...}} back "
        "(self.send(text_data=json.dumps(...))) or to the group (group_send with a \"type\" "
        "that matches a method name: \"chat.message\" → chat_message).",
    },
    "ws-reply-not-object": {
        "ru": "{name} получил не JSON-объект: {received}",
        "en": "{name} received something that is not a JSON object: {received}",
    },
    "ws-reply-not-object.hint": {
        "ru": "Страница делает JSON.parse(e.data).message: отвечайте json.dumps({{\"message\": message}}).",
        "en": "The page does JSON.parse(e.data).message: answer json.dumps({{\"message\": message}}).",
    },
    "ws-reply-wrong": {
        "ru": "{name}\nожидалось: {expected}\nполучено: {received}",
        "en": "{name}\nexpected: {expected}\nreceived: {received}",
    },
    "ws-reply-wrong.hint": {
        "ru": "Ключ должен называться \"message\" — его читают страница и тесты курса.",
        "en": "The key must be \"message\": the page and the course's tests read it.",
    },
    "ws-served-early": {
        "ru": "CONNECT {path} принят, а на этом шаге у сокета ещё нет сервера.",
        "en": "CONNECT {path} was accepted, but at this step the socket has no backend yet.",
    },
    "ws-served-early.hint": {
        "ru": "Этот шаг проверяет состояние до потребителя; вы, видимо, уже на шаге 04 — "
        "запустите проверку шага 4.",
        "en": "This step checks the state before the consumer; you are probably at step 04 "
        "already: run the checks of step 4.",
    },
    "ws-echo-broadcasts": {
        "ru": "bob (та же комната) получил чужое эхо: {received}\nожидалось: эхо слышит только "
        "отправитель",
        "en": "bob (same room) received the echo meant for alice: {received}\nexpected: only the "
        "sender hears the echo",
    },
    "ws-echo-broadcasts.hint": {
        "ru": "На шаге 04 self.send отвечает одному соединению; рассылка всем — это группы шага 05. "
        "Если вы уже сделали группы, проверяйте шаг 5.",
        "en": "At step 04 self.send answers one connection; sending to everyone is what groups "
        "add in step 05. If you already have groups, check step 5.",
    },
    # --- the channel layer and groups ---------------------------------------------------
    "layer-missing": {
        "ru": "В settings.py нет CHANNEL_LAYERS[\"default\"]: у потребителей нет слоя каналов.",
        "en": "settings.py has no CHANNEL_LAYERS[\"default\"]: consumers have no channel layer.",
    },
    "layer-missing.hint": {
        "ru": "Добавьте CHANNEL_LAYERS с BACKEND \"channels_redis.core.RedisChannelLayer\" и "
        "адресом Redis в CONFIG[\"hosts\"].",
        "en": "Add CHANNEL_LAYERS with BACKEND \"channels_redis.core.RedisChannelLayer\" and the "
        "Redis address in CONFIG[\"hosts\"].",
    },
    "layer-broken": {
        "ru": "Слой каналов из CHANNEL_LAYERS не создаётся.\nошибка: {error}\nгде: {where}",
        "en": "The channel layer of CHANNEL_LAYERS cannot be built.\nerror: {error}\nwhere: {where}",
    },
    "layer-broken.hint": {
        "ru": "Проверьте BACKEND (\"channels_redis.core.RedisChannelLayer\") и CONFIG: опечатка в пути "
        "класса или не установлен channels-redis.",
        "en": "Check BACKEND (\"channels_redis.core.RedisChannelLayer\") and CONFIG: a typo in the "
        "class path, or channels-redis is not installed.",
    },
    "layer-memory-mode": {
        "ru": "пропущено: запуск с --layer memory",
        "en": "skipped: run with --layer memory",
    },
    "layer-not-redis": {
        "ru": "BACKEND слоя\nожидалось: channels_redis.core.RedisChannelLayer (или RedisPubSubChannelLayer)\n"
        "получено: {backend}",
        "en": "layer BACKEND\nexpected: channels_redis.core.RedisChannelLayer (or RedisPubSubChannelLayer)\n"
        "received: {backend}",
    },
    "layer-not-redis.hint": {
        "ru": "InMemoryChannelLayer живёт внутри одного процесса: два процесса сервера через него "
        "друг друга не услышат.",
        "en": "InMemoryChannelLayer lives inside one process: two server processes do not hear "
        "each other through it.",
    },
    "redis-down": {
        "ru": "Redis не отвечает по адресу {hosts}.\nошибка: {error}",
        "en": "Redis does not answer at {hosts}.\nerror: {error}",
    },
    "redis-down.hint": {
        "ru": "Запустите Redis: `make redis` (свой сервер на свободном порту; затем export "
        "REDIS_URL=...), или `sudo apt install redis-server` (Debian/Ubuntu), `brew install "
        "redis && brew services start redis` (macOS), Memurai (Windows).",
        "en": "Start Redis: `make redis` (a private server on a free port; then export "
        "REDIS_URL=...), or `sudo apt install redis-server` (Debian/Ubuntu), `brew install "
        "redis && brew services start redis` (macOS), Memurai (Windows).",
    },
    "redis-timeout": {
        "ru": "Redis по адресу {hosts} не ответил за 3 с.",
        "en": "Redis at {hosts} did not answer in 3 s.",
    },
    "redis-roundtrip-wrong": {
        "ru": "Через слой пришло не то, что отправили: {received}",
        "en": "The layer gave back something else than was sent: {received}",
    },
    "broadcast-missing": {
        "ru": "alice отправила сообщение в комнату.\nожидалось: его получат все клиенты комнаты\n"
        "не получили: {missing}\nполучено: {received}",
        "en": "alice sent a message to the room.\nexpected: every client in the room gets it\n"
        "missing: {missing}\nreceived: {received}",
    },
    "broadcast-missing.hint": {
        "ru": "В connect() добавьте сокет в группу (group_add), в receive() рассылайте group_send "
        "в эту группу, а метод с именем из \"type\" (\"chat.message\" → chat_message) пусть "
        "делает self.send. В синхронном потребителе вызовы слоя оборачиваются в async_to_sync.",
        "en": "In connect() add the socket to a group (group_add), in receive() group_send to that "
        "group, and let the method named by \"type\" (\"chat.message\" → chat_message) call "
        "self.send. A sync consumer wraps layer calls in async_to_sync.",
    },
    "isolation-needs-broadcast": {
        "ru": "Изоляцию комнат нельзя показать, пока нет рассылки внутри комнаты.\nне получили: "
        "{missing}\nполучено: {received}",
        "en": "Rooms cannot be shown apart while there is no broadcast within a room.\nmissing: "
        "{missing}\nreceived: {received}",
    },
    "isolation-needs-broadcast.hint": {
        "ru": "Сначала добейтесь group-broadcast.",
        "en": "Make group-broadcast pass first.",
    },
    "isolation-leak": {
        "ru": "dave из другой комнаты получил сообщение: {received}",
        "en": "dave, in another room, received the message: {received}",
    },
    "isolation-leak.hint": {
        "ru": "Имя группы должно зависеть от комнаты: f\"chat_{{room_name}}\", где room_name берётся "
        "из self.scope[\"url_route\"][\"kwargs\"].",
        "en": "The group name must depend on the room: f\"chat_{{room_name}}\", with room_name "
        "from self.scope[\"url_route\"][\"kwargs\"].",
    },
    "leave-never-joined": {
        "ru": "При подключении потребитель не вызвал group_add: сокет не состоит ни в одной группе.",
        "en": "The consumer called no group_add on connect: the socket is in no group.",
    },
    "leave-never-joined.hint": {
        "ru": "Комната — это группа: в connect() вызовите group_add(имя_группы, self.channel_name).",
        "en": "A room is a group: call group_add(group_name, self.channel_name) in connect().",
    },
    "leave-no-discard": {
        "ru": "carol отключилась, но её канал остался в группе {groups}: group_discard не вызван.",
        "en": "carol disconnected, but her channel is still in group {groups}: no group_discard.",
    },
    "leave-no-discard.hint": {
        "ru": "В disconnect() вызовите group_discard(имя_группы, self.channel_name). Иначе мёртвый "
        "канал живёт в группе до group_expiry (сутки), и каждое сообщение уходит и ему.",
        "en": "Call group_discard(group_name, self.channel_name) in disconnect(). Otherwise the "
        "dead channel stays in the group until group_expiry (a day) and gets every message.",
    },
    "thorough-only": {
        "ru": "пропущено: долгая проверка (6 с), запускается с --thorough",
        "en": "skipped: a long check (6 s), run with --thorough",
    },
    "no-consumer-routed": {
        "ru": "Адрес {path} не ведёт ни к одному потребителю.",
        "en": "The path {path} reaches no consumer.",
    },
    "consumer-sync": {
        "ru": "Потребитель {name} синхронный (наследует {base}).\nожидалось: AsyncWebsocketConsumer",
        "en": "The consumer {name} is synchronous (it inherits {base}).\nexpected: AsyncWebsocketConsumer",
    },
    "consumer-sync.hint": {
        "ru": "Наследуйте AsyncWebsocketConsumer, объявите методы через async def и ждите вызовы "
        "слоя через await вместо async_to_sync.",
        "en": "Inherit AsyncWebsocketConsumer, declare the methods with async def and await the "
        "layer's calls instead of async_to_sync.",
    },
    "consumer-handler-sync": {
        "ru": "В асинхронном потребителе {name} метод {method} объявлен через def, а не async def.",
        "en": "In the async consumer {name}, {method} is declared with def, not async def.",
    },
    "consumer-handler-sync.hint": {
        "ru": "AsyncWebsocketConsumer ждёт корутины: напишите async def и await внутри.",
        "en": "AsyncWebsocketConsumer awaits coroutines: write async def and await inside.",
    },
    "blocked-async": {
        "ru": "Пока обработчик alice {slow} с ждал слой каналов, ответ bob из другой комнаты "
        "задержался на {waited} с.\nожидалось: bob не ждёт alice",
        "en": "While alice's handler waited {slow} s on the channel layer, bob's reply in another "
        "room was held back {waited} s.\nexpected: bob does not wait for alice",
    },
    "blocked": {
        "ru": "Пока обработчик alice {slow} с ждал слой каналов, ответ bob из другой комнаты "
        "задержался на {waited} с.\nожидалось: bob не ждёт alice",
        "en": "While alice's handler waited {slow} s on the channel layer, bob's reply in another "
        "room was held back {waited} s.\nexpected: bob does not wait for alice",
    },
    "blocked-async.hint": {
        "ru": "Потребитель асинхронный, но что-то в нём блокирует цикл событий (time.sleep, "
        "синхронный запрос, ORM без database_sync_to_async): пока он стоит, стоят все соединения "
        "процесса. Пишите await asyncio.sleep(...) и оборачивайте синхронный код в sync_to_async.",
        "en": "The consumer is async, but something in it blocks the event loop (time.sleep, a "
        "synchronous request, the ORM without database_sync_to_async): while it stands, every "
        "connection of the process stands. Write await asyncio.sleep(...) and wrap sync code in "
        "sync_to_async.",
    },
    "blocked.hint": {
        "ru": "Синхронные потребители одного процесса выполняются по очереди в одном потоке; "
        "асинхронный отдаёт управление на каждом await.",
        "en": "Sync consumers of one process take turns on one thread; an async one gives way "
        "at every await.",
    },
    "no-blocking-note": {
        "ru": "alice {slow} с ждала слой, а bob из-за неё задержался на {waited} мс",
        "en": "alice waited {slow} s on the layer; bob was held back {waited} ms by it",
    },
    "two-servers-memory": {
        "ru": "пропущено: с --layer memory процессы не связаны",
        "en": "skipped: with --layer memory the processes share nothing",
    },
    "server-failed": {
        "ru": "Daphne не запустился.\nжурнал:\n{log}",
        "en": "Daphne did not start.\nlog:\n{log}",
    },
    "two-servers-no-delivery": {
        "ru": "alice (сервер :{first}) отправила сообщение в комнату.\nожидалось: bob (сервер "
        ":{second}, та же комната) его получит\nполучено: ничего за 3 с",
        "en": "alice (server :{first}) sent a message to the room.\nexpected: bob (server "
        ":{second}, same room) gets it\nreceived: nothing in 3 s",
    },
    "two-servers-no-delivery.hint": {
        "ru": "Процессы сервера обмениваются сообщениями только через общий слой: нужен "
        "RedisChannelLayer, а не InMemoryChannelLayer, и рассылка через group_send.",
        "en": "Server processes exchange messages only through a shared layer: RedisChannelLayer, "
        "not InMemoryChannelLayer, and broadcast with group_send.",
    },
    "two-servers-connect": {
        "ru": "Не удалось подключиться к живому серверу: {error}\nв журнале Daphne:\n{log}",
        "en": "Could not connect to the live server: {error}\nin Daphne's log:\n{log}",
    },
    "two-servers-connect.hint": {
        "ru": "Это та же ошибка, что видна в консоли runserver; обычно её уже разбирает одна из проверок выше.",
        "en": "It is the error runserver's console shows too; usually a check above already explains it.",
    },
    "two-servers-note": {
        "ru": "два процесса Daphne (:{first}, :{second}) передали сообщение через Redis",
        "en": "two Daphne processes (:{first}, :{second}) passed the message through Redis",
    },
    # --- the project's own tests --------------------------------------------------------
    "no-tests": {
        "ru": "В проекте не найдено тестов (tests.py, test_*.py или папка tests/).",
        "en": "No tests found in the project (tests.py, test_*.py or a tests/ folder).",
    },
    "no-tests.hint": {
        "ru": "Напишите chat/tests.py: тесты потребителя через WebsocketCommunicator и браузерные "
        "через ChannelsLiveServerTestCase.",
        "en": "Write chat/tests.py: consumer tests with WebsocketCommunicator and browser tests "
        "with ChannelsLiveServerTestCase.",
    },
    "no-ws-tests": {
        "ru": "Тесты есть ({files}), но ни один не использует WebsocketCommunicator или "
        "ChannelsLiveServerTestCase.",
        "en": "There are tests ({files}), but none uses WebsocketCommunicator or "
        "ChannelsLiveServerTestCase.",
    },
    "test-db-memory": {
        "ru": "Тестовая база SQLite будет в памяти (DATABASES[\"default\"][\"TEST\"][\"NAME\"] не задан), "
        "а ChannelsLiveServerTestCase с ней не работает: ImproperlyConfigured: "
        "ChannelLiveServerTestCase can not be used with in memory databases.",
        "en": "The SQLite test database will live in memory (DATABASES[\"default\"][\"TEST\"][\"NAME\"] "
        "is not set), and ChannelsLiveServerTestCase refuses it: ImproperlyConfigured: "
        "ChannelLiveServerTestCase can not be used with in memory databases.",
    },
    "test-db-memory.hint": {
        "ru": "Сервер браузерных тестов — отдельный процесс, ему нужна база-файл: задайте "
        "\"TEST\": {{\"NAME\": BASE_DIR / \"test_db.sqlite3\"}}.",
        "en": "The browser tests' server is another process and needs a database file: set "
        "\"TEST\": {{\"NAME\": BASE_DIR / \"test_db.sqlite3\"}}.",
    },
    "test-db-same": {
        "ru": "TEST NAME совпадает с рабочей базой ({name}): manage.py test --noinput удалит её.",
        "en": "TEST NAME is the development database itself ({name}): manage.py test --noinput deletes it.",
    },
    "test-db-same.hint": {
        "ru": "Так советует часть 4 туториала Channels — это ошибка. Дайте тестам своё имя: "
        "BASE_DIR / \"test_db.sqlite3\".",
        "en": "Part 4 of the Channels tutorial says so, and it is a mistake. Give the tests a name of "
        "their own: BASE_DIR / \"test_db.sqlite3\".",
    },
    "own-tests-timeout": {
        "ru": "manage.py test не закончился за {seconds} с.\nпоследний вывод:\n{tail}",
        "en": "manage.py test did not finish in {seconds} s.\nlast output:\n{tail}",
    },
    "own-tests-failed": {
        "ru": "manage.py test завершился с кодом {code}.\nупали: {failed}\nконец вывода:\n{tail}",
        "en": "manage.py test exited with code {code}.\nfailed: {failed}\nend of output:\n{tail}",
    },
    "hint-own-tests-refused": {
        "ru": "Тесты не смогли подключиться (connected = False): сокет закрыла проверка Origin. Дайте "
        "WebsocketCommunicator заголовок headers=[(b\"origin\", b\"http://localhost\")] и впишите хосты "
        "в ALLOWED_HOSTS: тесты идут с DEBUG = False, и пустой список не пускает никого.",
        "en": "The tests could not connect (connected = False): the Origin check closed the socket. Give "
        "the WebsocketCommunicator headers=[(b\"origin\", b\"http://localhost\")] and list the hosts in "
        "ALLOWED_HOSTS: tests run with DEBUG = False, and an empty list lets nobody in.",
    },
    "hint-own-tests-redis": {
        "ru": "Тестам нужен Redis, а он не отвечает: запустите его (make redis или sudo apt install "
        "redis-server) и проверьте REDIS_URL.",
        "en": "The tests need Redis, and it does not answer: start it (make redis, or sudo apt install "
        "redis-server) and check REDIS_URL.",
    },
    "hint-own-tests-browser": {
        "ru": "Браузерным тестам нужны chromium и chromedriver: sudo apt install chromium chromium-driver "
        "(macOS: brew install --cask chromedriver).",
        "en": "The browser tests need chromium and chromedriver: sudo apt install chromium chromium-driver "
        "(macOS: brew install --cask chromedriver).",
    },
    "hint-own-tests-first": {
        "ru": "Запустите первый упавший тест отдельно: python manage.py test {label} -v 2, и сравните, "
        "чего он ждёт, с тем, что делает ваш код.",
        "en": "Run the first failed test on its own: python manage.py test {label} -v 2, and compare "
        "what it expects with what your code does.",
    },
    "hint-own-tests-run": {
        "ru": "Запустите python manage.py test -v 2 в проекте и прочтите первую ошибку.",
        "en": "Run python manage.py test -v 2 in the project and read the first error.",
    },
    "own-tests-note": {
        "ru": "тестов: {ran}, пропущено: {skipped}",
        "en": "{ran} tests, {skipped} skipped",
    },
    # --- step 08: hardened ---------------------------------------------------------------
    "group-name-invalid": {
        "ru": "Имя группы {group} недопустимо: только ASCII-буквы, цифры, -, _, . и меньше 100 символов.",
        "en": "The group name {group} is invalid: ASCII letters, digits, -, _, . only, under 100 characters.",
    },
    "group-name-invalid.hint": {
        "ru": "Выводите имя группы из хеша комнаты: \"chat.\" + hashlib.sha256(room.encode()).hexdigest().",
        "en": "Derive the group name from a hash of the room: \"chat.\" + hashlib.sha256(room.encode()).hexdigest().",
    },
    "group-shared": {
        "ru": "{rooms} разные комнаты попали в {count} групп(ы): разные комнаты делят группу.",
        "en": "{rooms} different rooms went into {count} group(s): different rooms share a group.",
    },
    "group-shared.hint": {
        "ru": "Не обрезайте и не «чистите» имя комнаты (\"привет\" и \"пока\" оба станут пустыми): хеш "
        "различает любые имена.",
        "en": "Do not cut or \"clean\" the room name (\"привет\" and \"пока\" both clean to nothing): a hash "
        "tells any names apart.",
    },
    "bad-frame-answer": {
        "ru": "alice отправила {sent}\nожидалось: {{\"error\": {{\"code\": \"{expected}\", ...}}}}, соединение открыто\n"
        "получено: {received}",
        "en": "alice sent {sent}\nexpected: {{\"error\": {{\"code\": \"{expected}\", ...}}}}, the connection open\n"
        "received: {received}",
    },
    "bad-frame-answer.hint": {
        "ru": "Проверяйте кадр по шагам, прежде чем что-то с ним делать: текст ли, JSON ли, объект ли, "
        "есть ли строка \"message\", не пустая ли, не длиннее ли лимита; на каждую ошибку — свой код "
        "(урок 08), отправленный одному отправителю.",
        "en": "Check a frame step by step before using it: text, JSON, an object, a string \"message\", "
        "not empty, within the limit; each failure gets its own code (lesson 08), sent to the "
        "sender alone.",
    },
    "bad-frame-crashed": {
        "ru": "alice отправила {sent}, и потребитель упал: соединение закрыто, канал остался в группе.\n"
        "ожидалось: {{\"error\": {{\"code\": \"{expected}\", ...}}}}\nошибка: {error}\nгде: {where}",
        "en": "alice sent {sent}, and the consumer crashed: the connection is closed, its channel left "
        "in the group.\nexpected: {{\"error\": {{\"code\": \"{expected}\", ...}}}}\nerror: {error}\nwhere: {where}",
    },
    "bad-frame-crashed.hint": {
        "ru": "Не используйте кадр до проверки: json.loads в try, затем isinstance(..., dict), \"message\" "
        "in data и так далее; на каждую ошибку — кадр с кодом (урок 08) одному отправителю.",
        "en": "Do not use a frame before checking it: json.loads inside try, then isinstance(..., dict), "
        "\"message\" in data and so on; each failure gets a frame with its code (lesson 08) to the sender alone.",
    },
    "bad-frame-leaked": {
        "ru": "bob получил что-то из-за чужого плохого кадра: {received}",
        "en": "bob received something because of alice's bad frame: {received}",
    },
    "bad-frame-leaked.hint": {
        "ru": "Кадр с ошибкой отвечает только отправителю (self.send), в группу он не идёт.",
        "en": "A bad frame is answered to its sender only (self.send), never to the group.",
    },
    "rate-not-limited": {
        "ru": "alice отправила {sent} сообщений подряд, и ни одно не получило ошибку rate-limited.",
        "en": "alice sent {sent} messages in a row and none got a rate-limited error.",
    },
    "rate-not-limited.hint": {
        "ru": "Заведите на соединение «ведро жетонов»: BURST = 10, RATE = 5 в секунду; сообщение без "
        "жетона получает {{\"error\": {{\"code\": \"rate-limited\"}}}} и не сохраняется.",
        "en": "Give each connection a token bucket: BURST = 10, RATE = 5 a second; a message with no "
        "token gets {{\"error\": {{\"code\": \"rate-limited\"}}}} and is not saved.",
    },
    "flood-not-closed": {
        "ru": "mallory отправила 60 сообщений без паузы, а соединение не закрыто.",
        "en": "mallory sent 60 messages without a pause, and the connection was not closed.",
    },
    "flood-not-closed.hint": {
        "ru": "Считайте отказы (прощая их, только когда клиент притих и ведро снова полно); после 20 "
        "закрывайте соединение кодом 4429: await self.close(code=4429).",
        "en": "Count the refusals (forgiven only once the client pauses and its bucket is full again); "
        "after 20, close the connection with code 4429: await self.close(code=4429).",
    },
    "flood-wrong-code": {
        "ru": "Флуд закрыт с кодом {code}, а урок обещает 4429.",
        "en": "The flood was closed with code {code}; the lesson promises 4429.",
    },
    "burst-lost": {
        "ru": "{people} клиентов в одной комнате отправили разом по {each} сообщений, принято {accepted}, "
        "а {name} получил только {got}: остальные слой каналов выбросил без ошибки.",
        "en": "{people} clients in one room sent {each} messages each at once, {accepted} were accepted, "
        "but {name} got only {got}: the channel layer dropped the rest without an error.",
    },
    "burst-lost.hint": {
        "ru": "Поднимите ёмкость слоя: \"capacity\": 1000 в CONFIG из CHANNEL_LAYERS (по умолчанию 100, и "
        "она общая для всех сокетов процесса).",
        "en": "Raise the layer's capacity: \"capacity\": 1000 in the CONFIG of CHANNEL_LAYERS (the default "
        "is 100, shared by all the sockets of a process).",
    },
    "frame-without-user": {
        "ru": "Кадр сообщения\nожидалось: {{\"id\": <число>, \"user\": \"<имя>\", \"message\": ...}}\nполучено: {received}",
        "en": "A message frame\nexpected: {{\"id\": <int>, \"user\": \"<name>\", \"message\": ...}}\nreceived: {received}",
    },
    "frame-without-user.hint": {
        "ru": "Сохраните сообщение (Message.objects.acreate) до рассылки и положите в кадр его id и имя "
        "отправителя из self.scope[\"user\"] (гостю — guest-xxxxxx).",
        "en": "Save the message (Message.objects.acreate) before broadcasting and put its id and the "
        "sender's name from self.scope[\"user\"] (guest-xxxxxx for a guest) in the frame.",
    },
    "user-not-stable": {
        "ru": "Имя одного и того же отправителя меняется: {first}, потом {second}.",
        "en": "The same sender's name changes: {first}, then {second}.",
    },
    "ids-not-increasing": {
        "ru": "id сообщений не растут: {first}, потом {second}.",
        "en": "Message ids do not increase: {first}, then {second}.",
    },
    "no-history": {
        "ru": "carol вошла в комнату, где уже были сообщения.\nожидалось: {{\"history\": [...]}}\nполучено: {received}",
        "en": "carol joined a room that already had messages.\nexpected: {{\"history\": [...]}}\nreceived: {received}",
    },
    "no-history.hint": {
        "ru": "После accept() отправьте последние 50 сообщений комнаты одним кадром {{\"history\": [...]}}, "
        "от старых к новым.",
        "en": "After accept(), send the room's last 50 messages in one frame {{\"history\": [...]}}, "
        "oldest first.",
    },
    "history-wrong": {
        "ru": "История комнаты\nожидалось (в конце): {expected}\nполучено: {received}",
        "en": "The room's history\nexpected (at the end): {expected}\nreceived: {received}",
    },
    "history-for-empty-room": {
        "ru": "В пустой комнате сразу пришёл кадр: {received}\nожидалось: ничего, пока нет сообщений",
        "en": "An empty room sent a frame at once: {received}\nexpected: nothing while there are no messages",
    },
    "origin-accepted": {
        "ru": "Сокет с Origin {origin} принят: любой сайт может говорить от имени ваших пользователей.",
        "en": "A socket with Origin {origin} was accepted: any site can talk on your users' behalf.",
    },
    "origin-accepted.hint": {
        "ru": "Оберните websocket-приложение в AllowedHostsOriginValidator.",
        "en": "Wrap the websocket application in AllowedHostsOriginValidator.",
    },
    # --- causes found in exceptions ---------------------------------------------------
    "hint-url-removed": {
        "ru": "django.conf.urls.url() удалён в Django 4.0: используйте path() или re_path() из "
        "django.urls (include тоже импортируйте оттуда).",
        "en": "django.conf.urls.url() was removed in Django 4.0: use path() or re_path() from "
        "django.urls (and import include from there too).",
    },
    "hint-module-typo": {
        "ru": "Модуля {module} нет в проекте. Опечатка в импорте? Похожий: {suggestion}.",
        "en": "There is no module {module} in the project. A typo in the import? A close one: "
        "{suggestion}.",
    },
    "hint-missing-package": {
        "ru": "Пакет {module} не установлен: pip install {package}",
        "en": "The package {module} is not installed: pip install {package}",
    },
    "hint-missing-module": {
        "ru": "Модуль {module} не установлен, и в проекте его нет: установите пакет, который его "
        "даёт (pip install ...), или уберите импорт.",
        "en": "The module {module} is not installed, and the project has no such module: install "
        "the package that provides it (pip install ...) or remove the import.",
    },
    "hint-syntax": {
        "ru": "Синтаксическая ошибка: исправьте строку, указанную в «где».",
        "en": "A syntax error: fix the line shown under “where”.",
    },
    "hint-apps-not-ready": {
        "ru": "Модели импортированы до настройки Django: в asgi.py вызовите "
        "get_asgi_application() до импорта chat.routing.",
        "en": "Models were imported before Django was set up: in asgi.py call "
        "get_asgi_application() before importing chat.routing.",
    },
    "hint-template-missing": {
        "ru": "Django не нашёл шаблон {template}. Шаблон должен лежать в папке из "
        "TEMPLATES[\"DIRS\"] или в <приложение>/templates/, а template_name — совпадать с путём "
        "внутри этой папки (например, \"chat/room.html\" для chat/templates/chat/room.html).",
        "en": "Django did not find the template {template}. It must sit in a folder of "
        "TEMPLATES[\"DIRS\"] or in <app>/templates/, and template_name must be its path inside "
        "that folder (\"chat/room.html\" for chat/templates/chat/room.html).",
    },
    "hint-sync-only": {
        "ru": "ORM вызвана из асинхронного кода: используйте database_sync_to_async или "
        "асинхронные методы ORM (aget, acreate...).",
        "en": "The ORM was called from async code: use database_sync_to_async or the async ORM "
        "methods (aget, acreate...).",
    },
    "hint-redis-socket-timeout": {
        "ru": "redis-py 8 обрывает сокет, молчащий 5 с, а слой ждёт сообщения как раз 5 с "
        "(channels_redis #422): pip install \"redis<8\". Словарь хоста с \"socket_timeout\" тоже "
        "лечит это, но на Python 3.11 из-за него зависают отключения потребителей.",
        "en": "redis-py 8 drops a socket that is silent for 5 s, and the layer waits exactly 5 s "
        "for a message (channels_redis #422): pip install \"redis<8\". A host dict with "
        "\"socket_timeout\" cures it too, but on Python 3.11 it makes consumers hang on disconnect.",
    },
    "hint-redis-down": {
        "ru": "Redis не запущен. `make redis`, или sudo apt install redis-server, или brew "
        "services start redis, на Windows — Memurai.",
        "en": "Redis is not running. `make redis`, or sudo apt install redis-server, or brew "
        "services start redis; Memurai on Windows.",
    },
    "hint-key-error": {
        "ru": "В словаре нет ключа {key}. Страница присылает {{\"message\": ...}}; тип события "
        "группы \"chat.message\" вызывает метод chat_message.",
        "en": "The dict has no key {key}. The page sends {{\"message\": ...}}; a group event of "
        "type \"chat.message\" calls the method chat_message.",
    },
    "hint-no-handler": {
        "ru": "Событие группы с \"type\": \"{type}\" ищет у потребителя метод {method}, а его нет. "
        "Точки в type становятся подчёркиваниями: назовите метод {method} или поправьте type.",
        "en": "A group event with \"type\": \"{type}\" looks for a consumer method {method}, and "
        "there is none. Dots in the type become underscores: name the method {method} or fix the type.",
    },
    "hint-group-name": {
        "ru": "Имя группы может содержать только ASCII-буквы, цифры, -, _ и . и быть короче 100 "
        "символов. Комната «привет» или длинное имя дают TypeError: выводите имя группы из имени "
        "комнаты так, чтобы оно всегда было допустимым (например, через хеш).",
        "en": "A group name may hold only ASCII letters, digits, -, _ and . and be shorter than 100 "
        "characters. A room called «привет» or a long name gives TypeError: derive a group name "
        "that is always valid from the room name (a hash, say).",
    },
    "hint-never-awaited": {
        "ru": "Python предупредил: {warning}. Вызовы слоя каналов — корутины: в синхронном "
        "потребителе оборачивайте их в async_to_sync(...)(...), в асинхронном пишите await.",
        "en": "Python warned: {warning}. Channel layer calls are coroutines: wrap them in "
        "async_to_sync(...)(...) in a sync consumer, and await them in an async one.",
    },
    "hint-async-to-sync-in-async": {
        "ru": "В асинхронном потребителе async_to_sync не нужен и запрещён: вызывайте слой через await "
        "self.channel_layer.group_send(...).",
        "en": "An async consumer needs no async_to_sync, and may not use it: await "
        "self.channel_layer.group_send(...) directly.",
    },
    "hint-await-sync": {
        "ru": "Channels ждёт (await) метод, объявленный через def: в AsyncWebsocketConsumer каждый "
        "обработчик, и обработчик событий группы (chat_message) тоже, пишется через async def.",
        "en": "Channels awaits a method declared with def: in an AsyncWebsocketConsumer every handler, "
        "the group event handler (chat_message) included, is an async def.",
    },
    "hint-no-table": {
        "ru": "В базе нет таблицы модели: python manage.py makemigrations, затем python manage.py "
        "migrate.",
        "en": "The database has no table for the model: python manage.py makemigrations, then python "
        "manage.py migrate.",
    },
    "hint-generic": {
        "ru": "Откройте файл из «где» и сравните с листингом урока.",
        "en": "Open the file under “where” and compare it with the lesson's listing.",
    },
    # --- the command line ---------------------------------------------------------------
    "no-project": {
        "ru": "Не найден проект Django: {detail}",
        "en": "No Django project found: {detail}",
    },
    "no-step": {
        "ru": "Нет шага {step}; шаги курса: {steps}",
        "en": "There is no step {step}; the course's steps: {steps}",
    },
    "unknown-check": {
        "ru": "У шага {step} нет проверки {check}; есть: {checks}",
        "en": "Step {step} has no check {check}; it has: {checks}",
    },
    "heading": {
        "ru": "Шаг {number:02d} · {title}\nпроект: {project}",
        "en": "Step {number:02d} · {title}\nproject: {project}",
    },
    "summary": {
        "ru": "Итог шага {number:02d}: пройдено {passed} из {total}{extra}",
        "en": "Step {number:02d}: {passed} of {total} passed{extra}",
    },
    "summary-all": {
        "ru": "Все шаги: {ok} из {total} зелёные, {seconds:.1f} с",
        "en": "All steps: {ok} of {total} green, {seconds:.1f} s",
    },
    "watch-changed": {"ru": "изменились: {files}", "en": "changed: {files}"},
    "watch-same": {"ru": "результаты проверок не изменились", "en": "no check changed its result"},
    "watch-waiting": {
        "ru": "Жду изменений в {folder} (Ctrl+C — выход)…",
        "en": "Waiting for changes in {folder} (Ctrl+C stops)…",
    },
    "grade-title": {"ru": "Шаг {number:02d} · {title}: результаты группы", "en": "Step {number:02d} · {title}: the class's results"},
    "grade-summary": {"ru": "Полностью зелёных проектов: {ok} из {total}", "en": "Projects all green: {ok} of {total}"},
    "grade-student": {"ru": "студент", "en": "student"},
    "grade-total": {"ru": "итого", "en": "total"},
    "grade-failures": {"ru": "Что не прошло", "en": "What failed"},
    "grade-written": {"ru": "Проектов: {count}; таблица записана в {out}", "en": "{count} projects; table written to {out}"},
    "label-why": {"ru": "почему", "en": "why"},
    "label-lesson": {"ru": "урок", "en": "lesson"},
    "label-repro": {"ru": "повторить", "en": "reproduce"},
    "label-frames": {"ru": "кадры", "en": "frames"},
    "label-skipped": {"ru": "пропущено", "en": "skipped"},
    "list-heading": {
        "ru": "Шаги курса (проверки по порядку; * — только с --thorough):",
        "en": "The course's steps (checks in order; * only with --thorough):",
    },
}


class _Keep(dict):
    """Leaves a placeholder that has no value as it is, rather than failing."""

    def __missing__(self, key):
        return "{" + key + "}"


def text(key: str, lang: str, /, default: str | None = None, **params) -> str:
    entry = TEXTS.get(key)
    if entry is None:
        if default is not None:
            return default
        raise KeyError(f"no text for {key!r}")
    template = entry.get(lang) or entry["ru"]
    try:
        return template.format_map(_Keep(params))
    except (ValueError, IndexError):
        return template


def default_lang() -> str:
    """The locale's language when it is English; Russian (the course's language) otherwise."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(name, "")
        if value:
            return "en" if value.lower().startswith("en") else "ru"
    return "ru"
