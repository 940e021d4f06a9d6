# TODO: tests (channels.testing.WebsocketCommunicator?)
