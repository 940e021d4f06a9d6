from .chat import ChatConsumer
from .echo import EchoConsumer, ShoutingEchoConsumer

__all__ = ['ChatConsumer', 'EchoConsumer', 'ShoutingEchoConsumer']
